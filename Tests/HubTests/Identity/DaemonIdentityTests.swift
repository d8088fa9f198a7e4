import Foundation
import Glibc
import Testing
@testable import Hub

/// The built `hub` daemon and its store end to end: the first-run admin token, its use on
/// `/ws/admin`, no second token on the next start, and a data directory that cannot be used.
@Suite struct DaemonIdentityTests {
    /// Starts `hub` on port 0 over `dataDir` and returns it with its port (from the `listening`
    /// log line).
    static func start(dataDir: String) throws -> (hub: HubProcess, port: Int) {
        let hub = try HubProcess(["--port", "0", "--loops", "1", "--log-level", "info", "--data-dir", dataDir])
        var seen: [String] = []
        while let line = try hub.readStderrLine(timeout: 10) {
            seen.append(line)
            let fields = HubBinaryTests.fields(line)
            if fields?["event"] as? String == "listening", let port = fields?["port"] as? Int { return (hub, port) }
        }
        throw V1Client.Failure.unexpected("no listening line; stderr: \(seen)")
    }

    /// Reads the child's stdout until it holds `marker` (then to the end of that line).
    static func readStdout(_ hub: HubProcess, until marker: String, timeout: Double = 10) throws -> String {
        let fd = hub.process.stdoutFD
        let deadline = TestDeadline(seconds: timeout)
        var bytes: [UInt8] = []
        while true {
            let text = String(decoding: bytes, as: UTF8.self)
            if let r = text.range(of: marker), text[r.upperBound...].contains("\n") { return text }
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let rc = poll(&p, 1, Int32((deadline.remaining * 1000).rounded(.up)))
            if rc == 0 { throw TestSocket.Failure.timeout("\(marker) on hub's stdout; got \(text)") }
            if rc < 0 { if errno == EINTR { continue }; throw TestSocket.Failure.receive(errno) }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n <= 0 { throw TestSocket.Failure.unexpectedEOF("\(marker) on hub's stdout; got \(text)") }
            bytes.append(contentsOf: chunk[..<n])
        }
    }

    /// Ends a client's connection (close handshake, then the TCP connection), so the daemon's
    /// drain on SIGTERM has nothing to wait for.
    static func hangUp(_ client: AuthClient) {
        try? client.ws.sendClose()
        _ = try? client.readUntilClose(timeout: 2)
        client.ws.socket.close()
    }

    /// Stops the daemon with SIGTERM and returns how it ended.
    static func stop(_ hub: HubProcess) throws -> HubProcess.Result {
        hub.send(SIGTERM)
        return try hub.finish(timeout: 10)
    }

    @Test func firstStartPrintsAWorkingAdminTokenOnce() async throws {
        try await TestThreadExecutor.run {
            let dir = TestDirectory()
            let dataDir = dir.file("data")  // not there yet: the hub creates it
            let (hub, port) = try Self.start(dataDir: dataDir)
            let out = try Self.readStdout(hub, until: "dashboard:")
            let token = try #require(out.firstMatch(of: /admin token: (hub_[A-Za-z0-9_-]{43})/)?.output.1, "\(out)")
            let dashboard = try #require(out.firstMatch(of: /dashboard: +(\S+)/)?.output.1, "\(out)")
            #expect(dashboard == "http://127.0.0.1:\(port)/admin#token=\(token)", "\(dashboard)")

            let (admin, welcome) = try AuthClient.welcomed(port: port, path: "/ws/admin", token: String(token))
            #expect(welcome.json["user"] as? String == "admin")
            let push = try admin.next(timeout: 5)  // the default interval: 1 s
            #expect(push.topic == "admin.metrics", "\(push)")
            Self.hangUp(admin)

            let first = try Self.stop(hub)
            #expect(first.status == 0, "\(first.stderr)")
            #expect(!first.stderr.contains(String(token)), "the secret is never logged")

            // The second start on the same directory: no new token, the old one still works.
            let (again, port2) = try Self.start(dataDir: dataDir)
            let (admin2, _) = try AuthClient.welcomed(port: port2, path: "/ws/admin", token: String(token), placement: .bearer)
            Self.hangUp(admin2)
            let second = try Self.stop(again)
            #expect(second.status == 0, "\(second.stderr)")
            #expect(!second.stdout.contains("admin token") && !second.stdout.contains("hub_"), "\(second.stdout)")
            let store = try TokenStore.open(dataDir: dataDir)
            #expect(try store.listTokens().filter { $0.kind == .admin }.count == 1)
        }
    }

    @Test func unusableDataDirExits1NamingIt() async throws {
        try await TestThreadExecutor.run {
            let dir = TestDirectory()
            let file = dir.file("not-a-directory")
            #expect(FileManager.default.createFile(atPath: file, contents: Array("x".utf8).withUnsafeBytes { Data($0) }))
            let r = try HubProcess.run(["--port", "0", "--data-dir", file], timeout: 10)
            #expect(r.status == 1, "stdout: \(r.stdout) stderr: \(r.stderr)")
            #expect(r.stderr.contains(file), "\(r.stderr)")
            #expect(!r.stdout.contains("admin token"), "\(r.stdout)")
        }
    }
}
