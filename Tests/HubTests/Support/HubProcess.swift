import Foundation
import Glibc

/// The built `hub` executable run as a child process, with its stdout and stderr captured.
final class HubProcess {
    /// What a finished run wrote and how it ended.
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    let process: ChildProcess
    private var stderrBuffer: [UInt8] = []
    private var stderrEOF = false

    /// The `hub` binary next to the running test bundle (SwiftPM puts both in the build
    /// directory), found through `/proc/self/exe`.
    static var executableURL: URL {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        // The test binary may sit inside a bundle directory (`HubPackageTests.xctest` on Linux
        // is a plain file, but be lenient): walk up until a `hub` is found.
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("hub")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("hub")
    }

    /// Starts `hub` with `arguments` and an environment without `HUB_*` variables, so the
    /// developer's shell cannot change what the test sees.
    init(_ arguments: [String]) throws {
        process = try ChildProcess(HubProcess.executableURL.path, arguments,
                                   environment: ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("HUB_") })
    }

    /// Sends `signal` to the child.
    func send(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// The next stderr line (without its newline), or nil on EOF; throws on timeout.
    func readStderrLine(timeout: Double) throws -> String? {
        let deadline = TestDeadline(seconds: timeout)
        let fd = process.stderrFD
        while true {
            if let nl = stderrBuffer.firstIndex(of: 10) {
                let line = String(decoding: stderrBuffer[..<nl], as: UTF8.self)
                stderrBuffer.removeSubrange(...nl)
                return line
            }
            if stderrEOF {
                if stderrBuffer.isEmpty { return nil }
                let line = String(decoding: stderrBuffer, as: UTF8.self)
                stderrBuffer.removeAll()
                return line
            }
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let rc = poll(&p, 1, Int32((deadline.remaining * 1000).rounded(.up)))
            if rc == 0 { throw TestSocket.Failure.timeout("a line on hub's stderr") }
            if rc < 0 { if errno == EINTR { continue }; throw TestSocket.Failure.receive(errno) }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n <= 0 { stderrEOF = true } else { stderrBuffer.append(contentsOf: chunk[..<n]) }
        }
    }

    /// Waits for the child to exit (killing it after `timeout` seconds) and returns its status
    /// and everything it wrote that was not read yet.
    func finish(timeout: Double) throws -> Result {
        let deadline = TestDeadline(seconds: timeout)
        var err: [String] = []
        while let line = try readStderrLine(timeout: deadline.remaining) { err.append(line) }
        let exited = TestDeadline.waitUntil(timeout: deadline.remaining) { !process.isRunning }
        if !exited {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw TestSocket.Failure.timeout("hub to exit")
        }
        let out = ChildProcess.readToEnd(process.stdoutFD)
        return Result(status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
                      stderr: err.joined(separator: "\n"))
    }

    /// Runs `hub` with `arguments` to completion.
    static func run(_ arguments: [String], timeout: Double = 5) throws -> Result {
        try HubProcess(arguments).finish(timeout: timeout)
    }
}
