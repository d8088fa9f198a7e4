import Synchronization

/// Keeps log lines in memory so tests can assert on exactly what would have been written.
///
/// A `Mutex` guards the array because loggers on several threads may share one sink.
final class MemoryLogSink: LogSink {
    private let storage = Mutex<[String]>([])

    init() {}

    /// The lines written so far, in order, without their trailing newline.
    var lines: [String] { storage.withLock { $0 } }

    /// Forgets all lines written so far.
    func removeAll() { storage.withLock { $0.removeAll() } }

    func write(line: [UInt8]) {
        var bytes = line[...]
        if bytes.last == UInt8(ascii: "\n") { bytes = bytes.dropLast() }
        let text = String(decoding: bytes, as: UTF8.self)
        storage.withLock { $0.append(text) }
    }
}
