import Broadcast
import Engines
import Dispatch
import Foundation
import Testing
@testable import Hub

/// An in-process hub for the identity tests: a real `Server` on port 0 whose tokens are checked
/// by a `StoreTokenVerifier` over a real `Store` in a directory of the test's own.
final class IdentityHub: @unchecked Sendable {
    /// The HS256 secret every identity test hub accepts JWTs signed with.
    static let jwtSecret = "identity-tests-jwt-secret-0123456789"

    let dir: TestDirectory
    let store: Store
    let server: Server
    var port: Int { server.port }

    init(dir: TestDirectory, store: Store, server: Server) {
        self.dir = dir
        self.store = store
        self.server = server
    }

    /// The settings of every identity test hub: `TestServer.config()` plus the JWT secret.
    static func config() -> HubConfig {
        var c = TestServer.config()
        c.jwtSecret = jwtSecret
        return c
    }

    /// Opens (or reopens) the store in `dir` and builds a server over it, from a high-priority
    /// task as `TestServer.runOnThread` does; nothing runs yet. `engines` replaces the ones the
    /// config would build (a test's own engine settings).
    static func make(dir: TestDirectory, _ configure: (inout HubConfig) -> Void,
                     engines: EngineRegistry? = nil) async throws -> IdentityHub {
        var c = config()
        configure(&c)
        let settings = c
        let path = dir.path
        let (store, server) = try await Task(priority: .high) {
            let store = try Store.open(dataDir: path)
            let verifier = StoreTokenVerifier(store: store, jwtSecret: Array(settings.jwtSecret.utf8),
                                              leeway: Int64(settings.jwtLeeway))
            let server = try Server(config: settings, logger: Logger(level: .error, sink: MemoryLogSink()),
                                    verifier: verifier, database: StoreHealthCheck(store: store), store: store,
                                    engines: engines)
            return (store, server)
        }.value
        return IdentityHub(dir: dir, store: store, server: server)
    }

    /// Starts a hub over a store in `dir` (a fresh directory by default), runs the blocking `body`
    /// on a thread of its own (never on the cooperative pool), and shuts the hub down afterwards.
    @discardableResult
    static func run<T>(dir: TestDirectory = TestDirectory(), _ configure: (inout HubConfig) -> Void = { _ in },
                       engines: EngineRegistry? = nil, _ body: (IdentityHub) throws -> T) async throws -> T {
        let hub = try await make(dir: dir, configure, engines: engines)
        return try await TestThreadExecutor.run {
            hub.server.start()
            defer { hub.server.shutdown() }
            return try body(hub)
        }
    }

    // MARK: - Tokens (blocking; call from the test's own thread)

    /// Waits for `work` on the hub's executor (not the cooperative pool, which busy tests may
    /// hold), blocking the calling (test) thread.
    func wait<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
        let box = ResultBox<T>(), done = DispatchSemaphore(value: 0)
        Task.onHub {
            do { box.result = .success(try await work()) } catch { box.result = .failure(error) }
            done.signal()
        }
        if done.wait(timeout: .now() + 10) == .timedOut { throw TestSocket.Failure.timeout("the store") }
        return try box.result!.get()
    }

    /// A new stored token's secret (through the hub's own `Store`).
    func createToken(user: String, kind: TokenKind = .user, ttl: Int64? = nil) throws -> String {
        let store = self.store
        return try wait { try await store.createToken(user: user, kind: kind, ttl: ttl).secret }
    }

    /// Revokes a token through the hub's `Store` (as the HTTP API or another process would).
    func revoke(_ secret: String) throws -> Int {
        let store = self.store
        return try wait { try await store.revoke(secretOrID: secret) }
    }

    /// An HS256 JWT signed with the hub's secret: `sub` and `exp` (`expiresIn` seconds from now)
    /// plus `extra` claims.
    static func jwt(sub: String, expiresIn: Int64 = 3600, extra: [String: Any] = [:],
                    secret: String = IdentityHub.jwtSecret) throws -> String {
        var claims: [String: Any] = ["sub": sub, "exp": Store.now() + expiresIn]
        for (k, v) in extra { claims[k] = v }
        return try JWT.sign(claims: claims, secret: Array(secret.utf8))
    }
}

/// A result handed from a task to a waiting thread (the semaphore orders the accesses).
final class ResultBox<T>: @unchecked Sendable {
    var result: Result<T, any Error>?
}

/// Where a client puts its token.
enum TokenPlacement {
    /// `?token=…` on the upgrade request.
    case query
    /// `Authorization: Bearer …`.
    case bearer
}

/// A protocol-v1 client of `/ws/auth` or `/ws/admin`: unlike `V1Client` it does not expect a
/// welcome push first (none comes before a token is known), so a test can read what comes when.
final class AuthClient {
    let ws: TestWebSocketClient
    private var ahead: [V1Message] = []

    /// Upgrades on `path`, with `token` placed as `placement` (or no token at all).
    init(port: Int, path: String = "/ws/auth", token: String? = nil, placement: TokenPlacement = .query,
         timeout: Double = 10) throws {
        var target = path
        var headers: [(String, String)] = []
        if let token {
            switch placement {
            case .query: target += "?token=" + token  // stored tokens and JWTs are URL-safe as they are
            case .bearer: headers.append(("Authorization", "Bearer " + token))
            }
        }
        ws = try TestWebSocketClient(port: port, path: target, extraHeaders: headers, timeout: timeout)
    }

    /// Connects with `token` and reads the welcome push (at once: the token came with the
    /// handshake); throws with what came instead.
    static func welcomed(port: Int, path: String = "/ws/auth", token: String, placement: TokenPlacement = .query)
        throws -> (client: AuthClient, welcome: V1Message) {
        let client = try AuthClient(port: port, path: path, token: token, placement: placement)
        let welcome = try client.next()
        guard welcome.json["op"] as? String == "welcome" else {
            throw V1Client.Failure.unexpected("first message \(welcome.text), expected the welcome push")
        }
        return (client, welcome)
    }

    func send(_ json: String) throws { try ws.sendText(json) }

    /// The next message; throws `V1Client.Failure.closed` on a close frame.
    func next(timeout: Double = 10) throws -> V1Message {
        guard let m = try nextIfAny(timeout: timeout) else { throw TestSocket.Failure.timeout("a message") }
        return m
    }

    /// The next message if one comes within `timeout` seconds.
    func nextIfAny(timeout: Double) throws -> V1Message? {
        if !ahead.isEmpty { return ahead.removeFirst() }
        let deadline = TestDeadline(seconds: timeout)
        while true {
            guard let frame = try ws.readFrameIfAny(timeout: deadline.remaining) else { return nil }
            switch frame.opcode {
            case .text: return try V1Message(raw: frame.payload, compressed: false)
            case .ping: try ws.send(.pong, frame.payload)
            case .pong: continue
            case .close: throw V1Client.Failure.closed(code: frame.closeCode, reason: frame.closeReason)
            default: throw V1Client.Failure.unexpected("\(frame)")
            }
        }
    }

    /// Waits for the reply with `id`; what came before it is returned too.
    func reply(id: Int, timeout: Double = 10) throws -> (reply: V1Message, before: [V1Message]) {
        let deadline = TestDeadline(seconds: timeout)
        var before: [V1Message] = []
        while true {
            let m = try next(timeout: deadline.remaining)
            if m.id == id { return (m, before) }
            before.append(m)
        }
    }

    /// Sends `json` (with `"id": id`) and waits for its reply.
    func call(_ json: String, id: Int, timeout: Double = 10) throws -> (reply: V1Message, before: [V1Message]) {
        try send(json)
        return try reply(id: id, timeout: timeout)
    }

    /// `call` expected to succeed: the `result` object (pushes before it stay queued for `next`).
    @discardableResult
    func result(_ json: String, id: Int, timeout: Double = 10) throws -> [String: Any] {
        let (reply, before) = try call(json, id: id, timeout: timeout)
        ahead.insert(contentsOf: before, at: 0)
        guard let result = reply.result else { throw V1Client.Failure.unexpected("reply \(reply.text) to \(json)") }
        return result
    }

    /// `call` expected to fail: the error code.
    func errorCode(_ json: String, id: Int) throws -> String? {
        try call(json, id: id).reply.errorCode
    }

    /// Reads until the close frame; returns it with the messages that came before it.
    func readUntilClose(timeout: Double = 10) throws -> (close: TestFrame, before: [V1Message]) {
        let deadline = TestDeadline(seconds: timeout)
        var before = ahead
        ahead.removeAll()
        while true {
            let frame = try ws.readMessage(timeout: deadline.remaining)
            switch frame.opcode {
            case .close: return (frame, before)
            case .text: before.append(try V1Message(raw: frame.payload, compressed: false))
            case .ping: try ws.send(.pong, frame.payload)
            default: continue
            }
        }
    }

    /// Reads until the close frame and expects 4401 (or `code`) with a reason containing `reason`;
    /// returns the frame.
    @discardableResult
    func expectClose(_ code: UInt16 = 4401, reason: String, timeout: Double = 10,
                     sourceLocation: SourceLocation = #_sourceLocation) throws -> TestFrame {
        let (close, before) = try readUntilClose(timeout: timeout)
        #expect(close.closeCode == code, "close \(close), after \(before)", sourceLocation: sourceLocation)
        #expect(close.closeReason.contains(reason), "reason \"\(close.closeReason)\", expected \"\(reason)\"",
                sourceLocation: sourceLocation)
        return close
    }
}

/// Seconds since `start` (a `DispatchTime`).
func secondsSince(_ start: DispatchTime) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
}
