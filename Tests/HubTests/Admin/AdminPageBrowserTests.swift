import Foundation
import Glibc
import Testing

@testable import Hub

/// The dashboard in a real browser: `Tests/interop/admin_page.py` drives headless Chromium over
/// the DevTools protocol against an in-process hub (sign-in by fragment and by form, live numbers
/// moving under publications, the connection table, Kick → 4403, a wrong token → error), saves
/// screenshots under `test-output/`, and prints a JSON summary. Chromium and the venv are required:
/// without them the test fails and says what to install.
@Suite struct AdminPageBrowserTests {
    static let token = "admin-token-for-the-dashboard-test"

    /// The repository: three levels above this file (Tests/HubTests/Admin/).
    static var repoRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    /// `HUB_CHROMIUM`, Debian's binary behind the `chromium` launcher, or `chromium` on PATH.
    static func chromium() -> String? {
        let fm = FileManager.default
        if let p = ProcessInfo.processInfo.environment["HUB_CHROMIUM"], fm.isExecutableFile(atPath: p) { return p }
        if fm.isExecutableFile(atPath: "/usr/lib/chromium/chromium") { return "/usr/lib/chromium/chromium" }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            for name in ["chromium", "chromium-browser"] {
                let p = "\(dir)/\(name)"
                if fm.isExecutableFile(atPath: p) { return p }
            }
        }
        return nil
    }

    @Test(.timeLimit(.minutes(3)))
    func dashboardSignsInShowsLiveNumbersAndKicks() throws {
        let root = Self.repoRoot
        let python = root.appendingPathComponent(".venv/bin/python").path
        let script = root.appendingPathComponent("Tests/interop/admin_page.py").path
        guard let chromium = Self.chromium() else {
            Issue.record("chromium is not installed: run `make deps` (as root) or `sudo apt-get install -y chromium`")
            return
        }
        guard FileManager.default.isExecutableFile(atPath: python) else {
            Issue.record("no venv python at \(python): run `make venv` (or `python3 -m venv .venv && .venv/bin/pip install -r tools/requirements.txt`)")
            return
        }
        let out = root.appendingPathComponent("test-output").path
        try TestServer.run({ c in
            c.adminInterval = 0.2
            c.loops = 2
        }, verifier: StaticTokenVerifier.admin(token: Self.token)) { server in
            let run = try Self.runScript(python, [script, "--port", String(server.port), "--token", Self.token,
                                                  "--chromium", chromium, "--out", out, "--timeout", "100"], timeout: 120)
            let summaryLine = run.stdout.split(separator: "\n").last.map(String.init) ?? ""
            let summary = (try? JSONSerialization.jsonObject(with: Data(summaryLine.utf8))) as? [String: Any]
            #expect(run.status == 0, "admin_page.py exited \(run.status)\nstdout: \(run.stdout)\nstderr: \(run.stderr)")
            let s = try #require(summary, "no JSON summary on stdout: \(run.stdout)\nstderr: \(run.stderr)")
            #expect(s["ok"] as? Bool == true, "\(s["error"] ?? "no error field")")
            #expect((s["connections"] as? Int ?? 0) >= 4, "connections: \(s["connections"] ?? "none")")
            #expect((s["publications_per_s"] as? Double ?? 0) > 0)
            #expect((s["messages_in_per_s"] as? Double ?? 0) > 0)
            #expect(s["kick_close_code"] as? Int == 4403)
            #expect((s["error_message"] as? String ?? "").contains("unknown token"))
            #expect(s["form_sign_in"] as? Bool == true)
            let shot = try #require(s["screenshot"] as? String)
            let size = (try? FileManager.default.attributesOfItem(atPath: shot)[.size] as? Int) ?? 0
            #expect(size > 10_000, "screenshot \(shot): \(size) bytes")
        }
    }

    struct ScriptRun {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Runs `python args…` with stdout and stderr in temporary files (no pipe to fill up), killing
    /// it after `timeout` seconds.
    static func runScript(_ python: String, _ args: [String], timeout: Double) throws -> ScriptRun {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hub-admin-page-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let outURL = dir.appendingPathComponent("stdout"), errURL = dir.appendingPathComponent("stderr")
        var env = ProcessInfo.processInfo.environment
        env["PYTHONUNBUFFERED"] = "1"
        let p = try ChildProcess(python, args, environment: env, stdout: .file(outURL.path), stderr: .file(errURL.path))
        if !TestDeadline.waitUntil(timeout: timeout, { !p.isRunning }) {
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
        }
        let read = { (u: URL) in String(decoding: (try? Data(contentsOf: u)) ?? Data(), as: UTF8.self) }
        return ScriptRun(status: p.terminationStatus, stdout: read(outURL), stderr: read(errURL))
    }
}
