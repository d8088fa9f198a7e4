/// An immutable run of bytes to send, in memory of its own so that a `writev` iovec can point at
/// it for as long as any outbound queue holds it.
///
/// Immutable after `init`, so one instance may sit in the queues of connections on several loops
/// at once: that is how a publication is encoded once and sent to many (ARCHITECTURE.md §2).
final class OutboundBytes: @unchecked Sendable {
    /// The first byte.
    let base: UnsafeMutableRawPointer
    /// How many bytes.
    let count: Int

    /// Allocates `count` bytes and lets `fill` write them (exactly once, before sharing).
    init(count: Int, fill: (UnsafeMutableRawBufferPointer) -> Void) {
        self.count = count
        self.base = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1), alignment: 16)
        fill(UnsafeMutableRawBufferPointer(start: base, count: count))
    }

    /// A copy of `bytes`.
    convenience init(_ bytes: [UInt8]) {
        self.init(count: bytes.count) { dst in
            bytes.withUnsafeBytes { src in
                if let s = src.baseAddress { dst.baseAddress!.copyMemory(from: s, byteCount: src.count) }
            }
        }
    }

    deinit { base.deallocate() }
}
