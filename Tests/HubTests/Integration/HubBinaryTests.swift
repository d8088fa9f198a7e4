import Foundation
import Glibc
import Testing
@testable import Hub

/// The built `hub` executable as a subprocess: start-up log, /health, SIGTERM drain, CLI errors.
@Suite struct HubBinaryTests {
    /// Fields of one JSON log line.
    static func fields(_ line: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
    }

    @Test func servesHealthAndStopsOnSIGTERM() async throws {
        try await TestThreadExecutor.run {
            let hub = try HubProcess(["--port", "0", "--log-level", "info", "--loops", "2"])
            var port: Int?
            var seen: [String] = []
            while port == nil, let line = try hub.readStderrLine(timeout: 5) {
                seen.append(line)
                let f = try #require(Self.fields(line), "not a JSON log line: \(line)")
                #expect(f["level"] as? String == "info")
                if f["event"] as? String == "listening" {
                    port = f["port"] as? Int
                    #expect((f["health"] as? String)?.hasSuffix("/health") == true)
                    #expect((f["echo"] as? String)?.hasPrefix("ws://127.0.0.1:") == true)
                }
            }
            let p = try #require(port, "no listening line in \(seen)")
            #expect(p > 0)
            #expect(seen.contains { Self.fields($0)?["event"] as? String == "starting" })

            let response = try ServerHTTPTests.exchange("GET /health HTTP/1.1\r\nHost: x\r\n\r\n", port: p)
            #expect(response.status == 200)
            #expect(response.bodyText.hasPrefix(#"{"status":"ok","#), "\(response.bodyText)")
            #expect(response.header("Content-Type") == "application/json")

            let client = try TestWebSocketClient(port: p)
            try client.sendText("through the binary")
            #expect(try client.readFrame().payload == Array("through the binary".utf8))

            hub.send(SIGTERM)
            // The drain sends 1001; answering lets the hub stop at once.
            let close = try client.readFrame(timeout: 2)
            #expect(close.closeCode == 1001)
            try client.sendClose(code: 1001)

            let result = try hub.finish(timeout: 5)
            #expect(result.status == 0, "stderr: \(result.stderr)")
            let events = result.stderr.split(separator: "\n").compactMap { Self.fields(String($0))?["event"] as? String }
            #expect(events.contains("draining"))
            #expect(events.last == "stopped", "\(events)")
        }
    }

    @Test func helpListsTheFlags() async throws {
        try await TestThreadExecutor.run {
            let r = try HubProcess.run(["--help"])
            #expect(r.status == 0)
            #expect(r.stdout.contains("--port"))
            #expect(r.stdout.contains("--log-level"))
            #expect(r.stdout.contains("HUB_PORT"))
        }
    }

    @Test func versionPrintsTheVersion() async throws {
        try await TestThreadExecutor.run {
            let r = try HubProcess.run(["--version"])
            #expect(r.status == 0)
            #expect(r.stdout == "hub 0.1.0\n")
        }
    }

    @Test func badPortExits2NamingTheFlag() async throws {
        try await TestThreadExecutor.run {
            let r = try HubProcess.run(["--port", "abc"])
            #expect(r.status == 2)
            #expect(r.stderr.contains("--port"), "\(r.stderr)")
            #expect(r.stderr.contains("abc"), "\(r.stderr)")
            #expect(r.stdout.isEmpty)
        }
    }

    /// A port already taken (by a listener without SO_REUSEPORT): the hub says so and exits 1
    /// instead of running without a listener.
    @Test func portInUseExits1() async throws {
        try await TestThreadExecutor.run {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            try #require(fd >= 0)
            defer { close(fd) }
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr)
            let rc = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            try #require(rc == 0 && listen(fd, 1) == 0)
            let port = Socket.localPort(fd)
            let r = try HubProcess.run(["--port", String(port)])
            #expect(r.status == 1)
            #expect(r.stderr.contains("cannot start"), "\(r.stderr)")
        }
    }
}
