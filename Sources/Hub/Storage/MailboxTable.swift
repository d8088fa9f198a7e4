import Engines

/// The telepathy mailbox over one `SQLiteDatabase` (schema v2, table `mailbox`), synchronously.
///
/// Not Sendable, like `TokenStore`: the `Store` actor runs it on its own queue
/// (`Store+Mailbox.swift`). Every write is one transaction, committed before it returns: with
/// WAL and `synchronous=FULL` (SQLite's default, which the store keeps) the commit is fsynced.
struct MailboxTable {
    let database: SQLiteDatabase

    /// See `MailboxStorage.storeMessage`: key lookup, cap check and insert in one write transaction.
    func store(id: String, from: String, to: String, key: String?, data: [UInt8], nowMs: Int64,
               maxPending: Int) throws(StoreError) -> MailboxStoreResult {
        try database.transaction { () throws(StoreError) -> MailboxStoreResult in
            if let key {
                let found = try database.query("SELECT id FROM mailbox WHERE sender = ? AND key = ?", [.text(from), .text(key)])
                if case .text(let existing)? = found.first?.first { return .duplicate(id: existing) }
            }
            let pending = try count("SELECT count(*) FROM mailbox WHERE recipient = ? AND acked IS NULL", [.text(to)])
            if pending >= maxPending { return .full(pending: pending) }
            try database.run(
                "INSERT INTO mailbox(id, sender, recipient, key, data, created) VALUES(?, ?, ?, ?, ?, ?)",
                [.text(id), .text(from), .text(to), key.map { .text($0) } ?? .null, .blob(data), .integer(nowMs)])
            return .stored(MailboxMessage(seq: database.lastInsertRowID, id: id, from: from, to: to, data: data,
                                          createdMs: nowMs))
        }
    }

    /// Unacked messages of `user` after `seq`, oldest first.
    func pending(for user: String, after seq: Int64, limit: Int) throws(StoreError) -> [MailboxMessage] {
        let statement = try database.prepare(
            "SELECT seq, id, sender, data, created FROM mailbox WHERE recipient = ? AND acked IS NULL AND seq > ? "
                + "ORDER BY seq LIMIT ?")
        try statement.bind([.text(user), .integer(seq), .integer(Int64(limit))])
        var out: [MailboxMessage] = []
        while try statement.step() {
            out.append(MailboxMessage(seq: statement.int64(0), id: statement.string(1) ?? "", from: statement.string(2) ?? "",
                                      to: user, data: statement.blob(3) ?? [], createdMs: statement.int64(4)))
        }
        return out
    }

    /// Marks `id` acked (dropping its data) when `recipient` is its recipient.
    func ack(_ id: String, recipient: String, nowMs: Int64) throws(StoreError) -> MailboxAckResult {
        try database.transaction { () throws(StoreError) -> MailboxAckResult in
            let rows = try database.query("SELECT seq, acked FROM mailbox WHERE id = ? AND recipient = ?",
                                          [.text(id), .text(recipient)])
            guard let row = rows.first, case .integer(let seq) = row[0] else { return .notFound }
            if row[1] != .null { return .alreadyAcked }
            try database.run("UPDATE mailbox SET acked = ?, data = NULL WHERE seq = ?", [.integer(nowMs), .integer(seq)])
            return .acked(seq: seq)
        }
    }

    /// Deletes every message created before `ms`; returns how many.
    func expire(createdBefore ms: Int64) throws(StoreError) -> Int {
        try database.run("DELETE FROM mailbox WHERE created < ?", [.integer(ms)])
    }

    /// Unacked messages in every mailbox.
    func pendingCount() throws(StoreError) -> Int {
        try count("SELECT count(*) FROM mailbox WHERE acked IS NULL", [])
    }

    private func count(_ sql: String, _ values: [SQLiteValue]) throws(StoreError) -> Int {
        guard case .integer(let n)? = try database.query(sql, values).first?.first else { return 0 }
        return Int(n)
    }
}
