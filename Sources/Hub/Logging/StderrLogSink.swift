#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes log lines to file descriptor 2 with `write(2)`, one call per line.
///
/// Going around `FILE*` avoids stdio's block buffering when stderr is a pipe (lines would show up
/// late or be lost on a crash) and its non-Sendable global. A single `write` of a line up to
/// `PIPE_BUF` bytes is atomic on a pipe, so concurrent lines never interleave; longer lines are
/// finished with further calls only if the kernel writes them partially.
struct StderrLogSink: LogSink {
    /// The descriptor written to; 2 unless a test or a daemon wants another one.
    let fileDescriptor: Int32

    init(fileDescriptor: Int32 = 2) { self.fileDescriptor = fileDescriptor }

    func write(line: [UInt8]) {
        line.withUnsafeBytes { raw in
            guard var base = raw.baseAddress else { return }
            var remaining = raw.count
            while remaining > 0 {
                let written = systemWrite(fileDescriptor, base, remaining)
                if written < 0 {
                    if errno == EINTR { continue }
                    return  // Nowhere left to report a failing stderr.
                }
                remaining -= written
                base += written
            }
        }
    }
}

/// The C `write`, named apart so the sink's own `write(line:)` does not shadow it.
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(fd, buffer, count)
    #elseif canImport(Musl)
    return Musl.write(fd, buffer, count)
    #else
    return Darwin.write(fd, buffer, count)
    #endif
}
