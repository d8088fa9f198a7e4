import CHubSys
import Foundation
import Glibc

/// A child process started with `posix_spawn` (`chubsys_spawn`), for the tests that run the
/// `hub` binary, Python and Chromium. Not Foundation's `Process`: on Swift 6.3.1 its `run()` can
/// read past the end of a `readdir` buffer while closing descriptors (swift-corelibs-foundation
/// #5472) and crashed the whole test process under CI once many sockets were open.
final class ChildProcess: @unchecked Sendable {
    /// Where a standard stream goes.
    enum Stream {
        /// `/dev/null`.
        case null
        /// A pipe to the parent (`stdinFD`, `stdoutFD`, `stderrFD`).
        case pipe
        /// A file, created or truncated.
        case file(String)
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let processIdentifier: pid_t
    /// The parent's ends of the pipes asked for (-1 otherwise).
    private(set) var stdinFD: Int32 = -1
    let stdoutFD: Int32
    let stderrFD: Int32
    private var status: Int32?
    private let lock = NSLock()

    /// Starts `executable` with `arguments`; `environment` nil keeps the parent's.
    init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
         stdin: Stream = .null, stdout: Stream = .pipe, stderr: Stream = .pipe) throws {
        var childFDs: [Int32] = []
        var parentFDs: [Int32] = [-1, -1, -1]
        defer { for fd in childFDs where fd >= 0 { Glibc.close(fd) } }
        for (index, stream) in [stdin, stdout, stderr].enumerated() {
            switch stream {
            case .null:
                childFDs.append(-1)
            case .pipe:
                var p: [Int32] = [0, 0]
                // Other descriptors never reach a child (`chubsys_spawn` closes them), so a pipe
                // without O_CLOEXEC from a concurrent spawn cannot leak either.
                guard pipe(&p) == 0 else { throw Failure(description: "pipe: errno \(errno)") }
                for fd in p { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
                // stdin: the child reads p[0]; stdout/stderr: the child writes p[1].
                childFDs.append(index == 0 ? p[0] : p[1])
                parentFDs[index] = index == 0 ? p[1] : p[0]
            case .file(let path):
                let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
                guard fd >= 0 else { throw Failure(description: "open \(path): errno \(errno)") }
                childFDs.append(fd)
            }
        }
        let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup($0) } + [nil]
        defer { for p in argv + envp { free(p) } }
        let pid = chubsys_spawn(executable, argv, envp, childFDs[0], childFDs[1], childFDs[2])
        guard pid > 0 else {
            for fd in parentFDs where fd >= 0 { Glibc.close(fd) }
            throw Failure(description: "cannot start \(executable): errno \(-pid)")
        }
        processIdentifier = pid
        stdinFD = parentFDs[0]
        stdoutFD = parentFDs[1]
        stderrFD = parentFDs[2]
    }

    deinit {
        if isRunning {
            kill(processIdentifier, SIGKILL)
            waitUntilExit()
        }
        for fd in [stdinFD, stdoutFD, stderrFD] where fd >= 0 { Glibc.close(fd) }
    }

    /// Whether the child has not exited yet (reaps it when it has).
    var isRunning: Bool {
        lock.lock()
        defer { lock.unlock() }
        if status != nil { return false }
        var s: Int32 = 0
        let rc = waitpid(processIdentifier, &s, WNOHANG)
        if rc == processIdentifier { status = s; return false }
        return rc == 0
    }

    /// Blocks until the child exits.
    func waitUntilExit() {
        lock.lock()
        defer { lock.unlock() }
        guard status == nil else { return }
        var s: Int32 = 0
        while waitpid(processIdentifier, &s, 0) < 0 && errno == EINTR {}
        status = s
    }

    /// How the child ended (as Foundation's `Process`).
    enum TerminationReason { case exit, uncaughtSignal }

    var terminationReason: TerminationReason {
        waitUntilExit()
        return lock.withLock { (status ?? 0) & 0x7F == 0 ? .exit : .uncaughtSignal }
    }

    /// The exit code, or the signal number when a signal ended it (as Foundation's `Process`).
    var terminationStatus: Int32 {
        waitUntilExit()
        let s = lock.withLock { status ?? 0 }
        return s & 0x7F == 0 ? (s >> 8) & 0xFF : s & 0x7F
    }

    /// Writes `bytes` to the child's stdin pipe and closes it.
    func writeStdinAndClose(_ bytes: [UInt8]) {
        guard stdinFD >= 0 else { return }
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(stdinFD, $0.baseAddress! + off, bytes.count - off) }
            if n < 0 { if errno == EINTR { continue }; break }
            off += n
        }
        Glibc.close(stdinFD)
        stdinFD = -1
    }

    /// Everything readable from `fd` until EOF.
    static func readToEnd(_ fd: Int32) -> [UInt8] {
        guard fd >= 0 else { return [] }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return out }
            out.append(contentsOf: chunk[..<n])
        }
    }
}
