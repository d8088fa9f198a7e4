import Broadcast
import Foundation
import Synchronization
import Testing
@testable import Engines
@testable import Hub

/// A mailbox whose every call can be made to fail, standing in for a broken disk.
final class FailingMailbox: MailboxStorage {
    let failing = Mutex(false)
    /// Writes attempted (`storeMessage`, `ackMessage`).
    let writes = Mutex(0)
    struct Broken: Error, CustomStringConvertible { var description: String { "disk I/O error" } }

    private func check() throws { if failing.withLock({ $0 }) { throw Broken() } }

    func storeMessage(id: String, from: String, to: String, key: String?, data: [UInt8], nowMs: Int64,
                      maxPending: Int) async throws -> MailboxStoreResult {
        writes.withLock { $0 += 1 }
        try check()
        return .stored(MailboxMessage(seq: 1, id: id, from: from, to: to, data: data, createdMs: nowMs))
    }
    func pendingMessages(for user: String, after seq: Int64, limit: Int) async throws -> [MailboxMessage] { try check(); return [] }
    func ackMessage(_ id: String, recipient: String, nowMs: Int64) async throws -> MailboxAckResult {
        writes.withLock { $0 += 1 }
        try check()
        return .notFound
    }
    func expireMessages(createdBefore ms: Int64) async throws -> Int { try check(); return 0 }
    func pendingMessageCount() async throws -> Int { try check(); return 0 }
}

/// The engine without a hub around it: storage failures are the caller's `unavailable`, logged,
/// and shown in health until the storage works again.
@Suite struct TelepathyEngineTests {
    @Test func storageFailuresAreUnavailableLoggedAndInHealth() async throws {
        let mailbox = FailingMailbox()
        let engine = TelepathyEngine(storage: mailbox)
        let lines = Mutex<[String]>([])
        let context = EngineContext(
            bus: Bus(), makeGuard: { name, _, _, _ in CircuitBreaker(name: name) },
            schedule: { _, _, _, _ in }, log: { _, event, fields in lines.withLock { $0.append("\(event) \(fields)") } })
        try await engine.start(context)
        defer { Task.onHub { await engine.stop() } }
        let alice = EngineCaller(client: "c-1", user: "alice", isAdmin: false)
        let send = EngineCall(action: "send", args: Array(#"{"to":"bob","data":1}"#.utf8), caller: alice)
        #expect(try await engine.handle(send).json.starts(with: Array(#"{"message":"m-"#.utf8)))
        #expect(engine.health().status == .ok)

        mailbox.failing.withLock { $0 = true }
        do {
            _ = try await engine.handle(send)
            Issue.record("a failed store answered")
        } catch let e as EngineError {
            #expect(e.code == .unavailable)
            #expect(e.message.contains("disk I/O error"), "\(e)")
        }
        let health = engine.health()
        #expect(health.status == .degraded)
        #expect(health.lastError?.contains("disk I/O error") == true, "\(health)")
        #expect(health.processed == 1)
        #expect(lines.withLock { $0 }.contains { $0.hasPrefix("telepathy_store_failed") }, "\(lines.withLock { $0 })")

        // Refusals are the caller's: they neither touch storage nor count as failures.
        let anonymous = EngineCall(action: "send", args: send.args, caller: EngineCaller(client: "c-2", user: nil, isAdmin: false))
        await #expect(throws: EngineError(.unauthorized, "only authenticated users may send direct messages (use /ws/auth)")) {
            try await engine.handle(anonymous)
        }
        let setsFrom = EngineCall(action: "send", args: Array(#"{"to":"bob","data":1,"from":"carol"}"#.utf8), caller: alice)
        await #expect(throws: EngineError(.forbidden, #"only operators may set "from""#)) { try await engine.handle(setsFrom) }

        mailbox.failing.withLock { $0 = false }
        _ = try await engine.handle(send)
        #expect(engine.health().status == .ok)
        #expect(engine.health().lastError?.contains("disk I/O error") == true, "the last error stays visible")
    }

    @Test func aStoreThatKeepsFailingOpensTheMailboxBreaker() async throws {
        let mailbox = FailingMailbox()
        let engine = TelepathyEngine(storage: mailbox)
        let breakers = CircuitBreakerRegistry()
        let context = EngineContext(
            bus: Bus(),
            makeGuard: { name, threshold, open, timeout in
                let b = CircuitBreaker(name: name, failureThreshold: threshold, openInterval: open, callTimeout: timeout)
                breakers.register(b)
                return b
            },
            schedule: { _, _, _, _ in }, log: { _, _, _ in })
        try await engine.start(context)
        defer { Task.onHub { await engine.stop() } }
        let send = EngineCall(action: "send", args: Array(#"{"to":"bob","data":1}"#.utf8),
                              caller: EngineCaller(client: "c-1", user: "alice", isAdmin: false))
        mailbox.failing.withLock { $0 = true }
        for _ in 0..<5 {
            await #expect(throws: EngineError.self) { try await engine.handle(send) }
        }
        #expect(mailbox.writes.withLock { $0 } == 5)
        let breaker = try #require(breakers.snapshots().first { $0.name == TelepathyEngine.writeBreakerName })
        #expect(breaker.state == .open)
        // Open: refused at once, without touching the store, with a reason that says so.
        do {
            _ = try await engine.handle(send)
            Issue.record("an open breaker let a send through")
        } catch let e as EngineError {
            #expect(e.code == .unavailable)
            #expect(e.message.contains("sqlite_mailbox is open"), "\(e)")
        }
        #expect(mailbox.writes.withLock { $0 } == 5)
    }
}
