import Foundation
import Glibc
import Testing
@testable import Hub

/// Protocol v1 against a client we did not write: `Tests/interop/ws_client.py` with the PyPI
/// `websockets` package from the package's `.venv` (`make venv`, which `make test` runs first).
@Suite struct V1InteropTests {
    /// The package root: this file is `<root>/Tests/HubTests/V1/V1InteropTests.swift`.
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func pythonWebsocketsClient() async throws {
        let python = Self.packageRoot.appendingPathComponent(".venv/bin/python")
        let script = Self.packageRoot.appendingPathComponent("Tests/interop/ws_client.py")
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            Issue.record("no Python venv at \(python.path): run `make venv` in \(Self.packageRoot.path) (it installs websockets from tools/requirements.txt)")
            return
        }
        try #require(FileManager.default.fileExists(atPath: script.path), "missing \(script.path)")

        try await TestServer.runOnThread { server in
            let result = try Self.run(python, [script.path, String(server.port)], timeout: 30)
            #expect(result.status == 0, "ws_client.py exited \(result.status): \(result.stderr)")
            let summary = try #require(
                try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
                "no JSON summary on stdout: \(result.stdout) \(result.stderr)")
            let plain = summary["plain"] as? [String: Any]
            let deflate = summary["deflate"] as? [String: Any]
            let recovery = summary["recovery"] as? [String: Any]
            #expect(plain?["negotiated"] as? Bool == false)
            #expect(plain?["echo"] as? Bool == true)
            #expect(plain?["offset"] as? Int == 1)
            #expect(deflate?["negotiated"] as? Bool == true, "websockets offers permessage-deflate by default")
            #expect(deflate?["echo"] as? Bool == true)
            #expect(recovery?["recovered"] as? Bool == true)
            #expect(recovery?["replayed"] as? [Int] == [4, 5])
            #expect(recovery?["offset"] as? Int == 5)
            // Some push really went out compressed, and the script read it back correctly.
            #expect(server.metrics.deflateCalls.load(ordering: .relaxed) >= 1)

            // The summary describes this server's streams.
            let c = try V1Client(port: server.port)
            let history = try c.result(#"{"op":"history","id":1,"topic":"public.interop.recovery"}"#, id: 1)
            #expect(history["offset"] as? Int == 5)
            #expect(history["epoch"] as? String == recovery?["epoch"] as? String)
            let plainHistory = try c.result(#"{"op":"history","id":2,"topic":"public.interop.plain"}"#, id: 2)
            #expect(plainHistory["offset"] as? Int == 1)
        }
    }

    struct Run {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Runs `executable` to completion (killed after `timeout` seconds), stdout through a pipe,
    /// stderr through a file.
    static func run(_ executable: URL, _ arguments: [String], timeout: Double) throws -> Run {
        let errURL = FileManager.default.temporaryDirectory.appendingPathComponent("ws_client-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errURL) }
        let process = try ChildProcess(executable.path, arguments, stdout: .pipe, stderr: .file(errURL.path))
        let pid = process.processIdentifier
        let killer = DispatchWorkItem { kill(pid, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: killer)
        let stdout = ChildProcess.readToEnd(process.stdoutFD)
        process.waitUntilExit()
        killer.cancel()
        let stderr = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        return Run(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: stderr)
    }
}
