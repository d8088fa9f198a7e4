/// A growable byte queue on raw memory: appended at the back, consumed from the front.
/// Owned by one loop thread.
final class ByteBuffer {
    private(set) var base: UnsafeMutableRawPointer
    private(set) var capacity: Int
    private(set) var readIndex = 0
    private(set) var writeIndex = 0

    init(capacity: Int = 1024) {
        self.capacity = max(64, capacity)
        base = .allocate(byteCount: self.capacity, alignment: 16)
    }

    deinit { base.deallocate() }

    var count: Int { writeIndex - readIndex }
    var isEmpty: Bool { readIndex == writeIndex }
    var readPointer: UnsafeMutableRawPointer { base + readIndex }

    /// Room for `n` more bytes at the back; returns where they go (the caller then `commit`s).
    func reserve(_ n: Int) -> UnsafeMutableRawPointer {
        if writeIndex + n > capacity {
            let live = count
            if readIndex > 0 && live + n <= capacity {
                base.copyMemory(from: base + readIndex, byteCount: live)
            } else {
                var newCap = capacity * 2
                while newCap < live + n { newCap *= 2 }
                let nb = UnsafeMutableRawPointer.allocate(byteCount: newCap, alignment: 16)
                nb.copyMemory(from: base + readIndex, byteCount: live)
                base.deallocate()
                base = nb
                capacity = newCap
            }
            readIndex = 0
            writeIndex = live
        }
        return base + writeIndex
    }

    func commit(_ n: Int) { writeIndex += n }

    func append(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        let p = reserve(bytes.count)
        p.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        writeIndex += bytes.count
    }

    func consume(_ n: Int) {
        readIndex += n
        if readIndex == writeIndex { readIndex = 0; writeIndex = 0 }
    }

    func clear() { readIndex = 0; writeIndex = 0 }
}
