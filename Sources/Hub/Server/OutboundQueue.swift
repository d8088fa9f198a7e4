import Glibc

/// A connection's bytes waiting to be written, flushed with one `writev` per turn of the loop.
///
/// Entries are references to immutable `OutboundBytes`, so queuing a shared frame costs a pointer
/// append. The queue is a growable array with a moving head, compacted when the head passes half.
struct OutboundQueue {
    private var items: [OutboundBytes] = []
    private var head = 0
    /// Bytes of `items[head]` already written.
    private var headOffset = 0
    /// Bytes not yet written.
    private(set) var pendingBytes = 0

    /// Nothing left to write.
    var isEmpty: Bool { head == items.count }

    /// Queues `bytes` behind everything else.
    mutating func append(_ bytes: OutboundBytes) {
        if bytes.count == 0 { return }
        items.append(bytes)
        pendingBytes += bytes.count
    }

    /// Drops everything not yet written except the unwritten rest of a frame already begun
    /// (cutting a frame in half would corrupt the stream). Returns the bytes dropped.
    @discardableResult
    mutating func discardUnstarted() -> Int {
        guard !isEmpty else { return 0 }
        let keep = headOffset > 0 ? 1 : 0
        var dropped = 0
        for i in (head + keep)..<items.count { dropped += items[i].count }
        items.removeSubrange((head + keep)...)
        pendingBytes -= dropped
        return dropped
    }

    enum FlushResult { case done, wouldBlock, failed(Int32) }

    /// Writes as much as the socket takes. `iov` is the loop's scratch array of iovecs.
    mutating func flush(fd: Int32, iov: UnsafeMutablePointer<iovec>, iovCapacity: Int) -> FlushResult {
        while !isEmpty {
            var n = 0
            var i = head
            while i < items.count && n < iovCapacity {
                let item = items[i]
                let skip = i == head ? headOffset : 0
                iov[n] = iovec(iov_base: item.base + skip, iov_len: item.count - skip)
                n += 1
                i += 1
            }
            let written = writev(fd, iov, Int32(n))
            if written < 0 {
                let err = errno
                if err == EINTR { continue }
                if err == EAGAIN || err == EWOULDBLOCK { return .wouldBlock }
                return .failed(err)
            }
            consume(written)
            if written == 0 { return .wouldBlock }
        }
        return .done
    }

    private mutating func consume(_ written: Int) {
        var left = written
        pendingBytes -= written
        while left > 0 {
            let rest = items[head].count - headOffset
            if left >= rest {
                left -= rest
                head += 1
                headOffset = 0
            } else {
                headOffset += left
                left = 0
            }
        }
        if head == items.count {
            items.removeAll(keepingCapacity: items.count <= 64)
            head = 0
        } else if head > 32 && head * 2 > items.count {
            items.removeSubrange(0..<head)
            head = 0
        }
    }
}
