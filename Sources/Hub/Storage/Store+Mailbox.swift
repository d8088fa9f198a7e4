import Engines

/// The store is the telepathy engine's durable mailbox: every call is one hop to the store's
/// queue and, for writes, one committed transaction.
extension Store: MailboxStorage {
    func storeMessage(id: String, from: String, to: String, key: String?, data: [UInt8], nowMs: Int64,
                      maxPending: Int) async throws -> MailboxStoreResult {
        try withTokenStore { tokens throws(StoreError) in
            try MailboxTable(database: tokens.database).store(id: id, from: from, to: to, key: key, data: data,
                                                              nowMs: nowMs, maxPending: maxPending)
        }
    }

    func pendingMessages(for user: String, after seq: Int64, limit: Int) async throws -> [MailboxMessage] {
        try withTokenStore { tokens throws(StoreError) in
            try MailboxTable(database: tokens.database).pending(for: user, after: seq, limit: limit)
        }
    }

    func ackMessage(_ id: String, recipient: String, nowMs: Int64) async throws -> MailboxAckResult {
        try withTokenStore { tokens throws(StoreError) in
            try MailboxTable(database: tokens.database).ack(id, recipient: recipient, nowMs: nowMs)
        }
    }

    func expireMessages(createdBefore ms: Int64) async throws -> Int {
        try withTokenStore { tokens throws(StoreError) in try MailboxTable(database: tokens.database).expire(createdBefore: ms) }
    }

    func pendingMessageCount() async throws -> Int {
        try withTokenStore { tokens throws(StoreError) in try MailboxTable(database: tokens.database).pendingCount() }
    }
}
