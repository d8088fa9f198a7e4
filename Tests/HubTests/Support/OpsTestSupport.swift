import Foundation
@testable import Hub

/// A verifier with a fixed table of tokens, for the API and limiter tests.
struct FixedTokenVerifier: TokenVerifier {
    static let admin = "admin-token-0123456789"
    static let api = "api-token-0123456789"
    static let user = "user-token-0123456789"

    var tokens: [String: AuthIdentity] = [
        FixedTokenVerifier.admin: AuthIdentity(user: "root", isAdmin: true),
        FixedTokenVerifier.api: AuthIdentity(user: "svc", isAdmin: false, isAPI: true),
        FixedTokenVerifier.user: AuthIdentity(user: "alice", isAdmin: false),
    ]

    func verify(_ token: String) async -> Result<AuthIdentity, AuthFailure> {
        tokens[token].map { .success($0) } ?? .failure(AuthFailure(reason: "unknown token"))
    }
    func revocationStamp() async -> Int64 { 0 }
}

/// A value moved across threads by a test that knows only one thread touches it at a time.
struct Unchecked<T>: @unchecked Sendable {
    let value: T
}

/// Runs blocking test I/O on a thread of its own, so the awaiting test gives its cooperative
/// thread back: the server's async work (verifier, bus, health checks) runs on that pool, which
/// has only as many threads as cores, and blocking tests would starve it.
func blocking<T>(_ body: @escaping () throws -> T) async throws -> T {
    let work = Unchecked(value: body)
    let result: Unchecked<T> = try await withCheckedThrowingContinuation { c in
        let thread = Thread {
            do { c.resume(returning: Unchecked(value: try work.value())) } catch { c.resume(throwing: error) }
        }
        thread.start()
    }
    return result.value
}

extension TestServer {
    /// Like `run`, async, with a token verifier and a store health check; the body's blocking
    /// I/O goes through `blocking` (the `OpsHTTP` helpers do).
    @discardableResult
    static func run<T>(verifier: any TokenVerifier = RefusingTokenVerifier(), database: (any HealthCheck)? = nil,
                       _ configure: (inout HubConfig) -> Void = { _ in },
                       _ body: (Server) async throws -> T) async throws -> T {
        var c = config()
        configure(&c)
        let server = try Server(config: c, logger: Logger(level: .error, sink: MemoryLogSink()), verifier: verifier,
                                database: database)
        server.start()
        do {
            let result = try await body(server)
            _ = try await blocking { server.shutdown() }
            return result
        } catch {
            _ = try? await blocking { server.shutdown() }
            throw error
        }
    }
}

/// Plain HTTP helpers for the operations tests.
enum OpsHTTP {
    /// One request with optional headers and body; the answer after the server closes.
    static func request(_ method: String, _ target: String, port: Int, headers: [(String, String)] = [],
                        body: String? = nil) async throws -> TestHTTPResponse {
        try await blocking { try requestNow(method, target, port: port, headers: headers, body: body) }
    }

    static func requestNow(_ method: String, _ target: String, port: Int, headers: [(String, String)],
                           body: String?) throws -> TestHTTPResponse {
        var text = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if let body { text += "Content-Length: \(body.utf8.count)\r\n" }
        text += "\r\n" + (body ?? "")
        let socket = try TestSocket(port: port)
        try socket.send(text)
        let bytes = try socket.readToEnd(timeout: 10)
        guard let r = TestHTTPResponse(bytes) else {
            throw TestSocket.Failure.unexpectedEOF("an HTTP response, got \(String(decoding: bytes, as: UTF8.self))")
        }
        return r
    }

    static func get(_ target: String, port: Int, token: String? = nil) async throws -> TestHTTPResponse {
        try await request("GET", target, port: port, headers: token.map { [("Authorization", "Bearer \($0)")] } ?? [])
    }

    /// The body as a JSON object.
    static func json(_ r: TestHTTPResponse) throws -> [String: Any] {
        guard let o = try JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any] else {
            throw TestSocket.Failure.unexpectedEOF("a JSON object, got \(r.bodyText)")
        }
        return o
    }

    /// The upgrade request's answer status line (101 or an HTTP refusal), without WebSocket framing.
    static func upgradeStatus(_ path: String, port: Int, headers: [(String, String)] = [], host: String? = nil) async throws -> Int {
        try await blocking { try upgradeStatusNow(path, port: port, headers: headers, host: host) }
    }

    static func upgradeStatusNow(_ path: String, port: Int, headers: [(String, String)], host: String?) throws -> Int {
        var text = "GET \(path) HTTP/1.1\r\nHost: \(host ?? "127.0.0.1:\(port)")\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        text += "\r\n"
        let socket = try TestSocket(port: port)
        try socket.send(text)
        let deadline = TestDeadline(seconds: 10)
        var bytes: [UInt8] = []
        while TestHTTPResponse.headEnd(in: bytes) == nil {
            let chunk = try socket.receive(timeout: deadline.remaining)
            if chunk.isEmpty { break }
            bytes.append(contentsOf: chunk)
        }
        guard let end = TestHTTPResponse.headEnd(in: bytes), let r = TestHTTPResponse(Array(bytes[..<end])) else {
            throw TestSocket.Failure.unexpectedEOF("an HTTP response head")
        }
        return r.status
    }
}
