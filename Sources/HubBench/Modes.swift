import Glibc
import WSProtocol

/// What each mode does with its connections: the loop calls `opened` after the 101, `deliver` for
/// each text message, `closed` when a socket ends and `tick` once per turn.
extension BenchLoop {
    func opened(_ c: Client) {
        switch c.role {
        case .echo:
            c.echoTimes = [UInt64](repeating: 0, count: options.inflight)
            markReady(c)
        default:
            break  // wait for the welcome
        }
    }

    func deliver(_ c: Client, _ m: UnsafeRawBufferPointer) {
        switch c.role {
        case .echo: echoReceived(c, m)
        case .subscriber: subscriberMessage(c, m)
        case .publisher: publisherMessage(c, m)
        case .idle:
            if Scan.hasPrefix(m, Scan.welcome) { markReady(c) } else if Scan.hasPrefix(m, Scan.errorPrefix) { errorPushes += 1 }
        }
    }

    func closed(_ c: Client, wasReady: Bool, expected: Bool) {
        if options.mode == .churn, c.role == .subscriber, let t = c.tracker {
            if let i = subscribers.firstIndex(where: { $0 === c }) { subscribers.swapAt(i, subscribers.count - 1); subscribers.removeLast() }
            // A churned client comes back after the gap; one the hub closed comes back too (and
            // the close was counted as a failure).
            if shared.currentPhase != .stop {
                reopenLater(PendingOpen(id: c.id, role: .subscriber, path: c.path, tracker: t, quota: 0, dueNs: 0),
                            delayNs: UInt64(options.gapMs) * 1_000_000)
            }
        }
    }

    func tick(_ phase: Phase) {
        switch options.mode {
        case .fanout, .churn:
            if phase == .run { for p in publishers where p.ready && p.state == .open { pump(p) } }
            if options.mode == .churn && phase == .run {
                for c in subscribers where c.ready && c.state == .open && c.closeAtNs != 0 && c.closeAtNs <= now {
                    churnClosed += 1
                    closeClient(c, failure: nil)
                }
            }
            checkCompletion()
        case .echo:
            if phase == .run {
                for c in echoClients where c.ready && c.state == .open && c.sent == 0 {
                    for _ in 0..<options.inflight { sendEcho(c) }
                }
            }
        case .connect:
            break
        }
    }

    // MARK: - Fan-out and churn

    private func subscribe(_ c: Client) {
        var b: [UInt8] = []
        b.appendString(#"{"op":"subscribe","id":1,"topic":""#)
        b.appendString(options.topic)
        b.append(34)
        if let t = c.tracker, !t.epoch.isEmpty, t.lastOffset >= 0 {
            b.appendString(#","recover":{"epoch":""#)
            b.appendString(t.epoch)
            b.appendString(#"","offset":"#)
            b.appendDecimal(t.lastOffset)
            b.append(125)
            c.recovering = true
        }
        b.append(125)
        sendText(c, b)
    }

    private func subscriberMessage(_ c: Client, _ m: UnsafeRawBufferPointer) {
        guard let t = c.tracker else { return }
        switch Scan.push(m) {
        case .publication(let offset, let publisher, let seq, let sentNs):
            if t.lastOffset < 0 {
                fail("publication before the subscribe reply")
                return
            }
            t.record(offset: offset)
            if let publisher {
                if publisher < t.lastSeq.count && options.mode == .fanout {
                    if seq != t.lastSeq[publisher] + 1 { seqErrors += 1 }
                    t.lastSeq[publisher] = seq
                }
                // Replayed publications (before a recover reply) are late by design: not timed.
                if sentNs > 0 && now >= sentNs && !c.recovering { histogram.record(now - sentNs) }
            } else {
                foreignPushes += 1
            }
            lastReceiveNs = now
            stats.received.add(1, ordering: .relaxed)
            return
        case .presence:
            presencePushes += 1
            return
        case .other:
            break
        }
        if Scan.hasPrefix(m, Scan.welcome) {
            c.welcomed = true
            subscribe(c)
            return
        }
        if Scan.replyID(m) == 1 {
            guard Scan.isResult(m), let offset = Scan.offset(m), let e = Scan.after(m, Scan.epochKey),
                  let epoch = Scan.string(m, at: e)
            else {
                closeClient(c, failure: "subscribe failed: \(Scan.errorCode(m))")
                return
            }
            if c.recovering {
                c.recovering = false
                t.reconnects += 1
                stats.reconnects.add(1, ordering: .relaxed)
                if Scan.after(m, Scan.recoveredTrue) == nil || epoch != t.epoch {
                    t.recoverFailed += 1
                    if offset > t.lastOffset { t.lost += offset - t.lastOffset }
                    t.lastOffset = max(t.lastOffset, offset)
                    t.epoch = epoch
                } else if offset > t.lastOffset {
                    // Recovered, yet the replay stopped short of the reply's offset.
                    t.lost += offset - t.lastOffset
                    t.lastOffset = offset
                }
            } else {
                t.epoch = epoch
                t.lastOffset = offset
                t.baseOffset = offset
            }
            if options.mode == .churn {
                let life = UInt64(options.lifeMs) * 1_000_000
                c.closeAtNs = now + life / 2 + random() % max(1, life)
            }
            markReady(c)
            return
        }
        if Scan.hasPrefix(m, Scan.errorPrefix) { errorPushes += 1 }
    }

    private func publisherMessage(_ c: Client, _ m: UnsafeRawBufferPointer) {
        if let id = Scan.replyID(m) {
            _ = id
            // The offset and the error count are published before the ack count: the main
            // thread reads them once every ack is in.
            if Scan.isResult(m), let offset = Scan.offset(m) {
                if offset > stats.maxOffset.load(ordering: .relaxed) { stats.maxOffset.store(offset, ordering: .releasing) }
            } else {
                publishErrors[Scan.errorCode(m), default: 0] += 1
                stats.publishErrors.add(1, ordering: .releasing)
            }
            c.acked += 1
            stats.acked.add(1, ordering: .releasing)
            lastAckNs = now
            if shared.currentPhase == .run { pump(c) }
            return
        }
        if Scan.hasPrefix(m, Scan.welcome) {
            c.welcomed = true
            if c.intervalNs == 0 && options.rate > 0 {
                let perPublisher = options.rate / Double(options.mode == .churn ? 1 : options.publishers)
                c.intervalNs = UInt64(1e9 / perPublisher)
            }
            markReady(c)
            return
        }
        if Scan.hasPrefix(m, Scan.errorPrefix) {
            publishErrors[Scan.errorCode(m), default: 0] += 1
        }
    }

    /// Publishes as much as the outstanding cap, the quota and the rate allow.
    private func pump(_ c: Client) {
        while c.outstanding < options.outstanding && (c.quota == 0 || c.sent < c.quota) {
            if c.intervalNs > 0 {
                if c.nextSendNs == 0 { c.nextSendNs = now }
                guard now >= c.nextSendNs else { return }
                c.nextSendNs += c.intervalNs
            }
            publish(c)
        }
    }

    private func publish(_ c: Client) {
        c.sent += 1
        stats.sent.add(1, ordering: .relaxed)
        scratch.removeAll(keepingCapacity: true)
        scratch.appendString(#"{"op":"publish","id":"#)
        scratch.appendDecimal(c.sent)
        scratch.appendString(#","topic":""#)
        scratch.appendString(options.topic)
        scratch.appendString(#"","data":"p="#)
        let dataStart = scratch.count - 3
        scratch.appendDecimal(c.id)
        scratch.appendString(" s=")
        scratch.appendDecimal(c.sent)
        scratch.appendString(" t=")
        scratch.appendDecimal(Int(Sys.nowNs()))
        let pad = options.size - (scratch.count - dataStart)
        if pad > 0 {
            scratch.append(32)
            if options.textFill {
                appendTextFill(count: pad - 1)
            } else if pad > 1 {
                scratch.append(contentsOf: repeatElement(120, count: pad - 1))
            }
        }
        scratch.appendString(#""}"#)
        scratch.withUnsafeBytes { c.queueFrame(.text, $0, maskKey: UInt32(truncatingIfNeeded: random())) }
        scheduleFlush(c)
    }

    /// `count` bytes of JSON-like text without quotes or backslashes (`{sym:KQZ,px:1873.25,qty:40,…}`),
    /// keys from a small set and values from the loop's generator: about as compressible as a feed
    /// of price updates, unlike a run of x's.
    private func appendTextFill(count: Int) {
        let keys = ["sym", "px", "qty", "side", "venue", "bid", "ask", "ts", "seq", "flags"]
        let end = scratch.count + count
        var item = 0
        while scratch.count < end {
            let r = random()
            scratch.append(item % 5 == 0 ? 123 : 44)  // `{` opens a record every five pairs, `,` between pairs
            scratch.appendString(keys[Int(r % UInt64(keys.count))])
            scratch.append(58)  // `:`
            switch (r >> 8) % 3 {
            case 0:
                for k in 0..<3 { scratch.append(65 + UInt8((r >> (16 + 5 * UInt64(k))) % 26)) }
            case 1:
                scratch.appendDecimal(Int((r >> 16) % 10_000))
                scratch.append(46)  // `.`
                scratch.appendDecimal(Int((r >> 32) % 90 + 10))
            default:
                scratch.appendDecimal(Int((r >> 16) % 1000))
            }
            if item % 5 == 4 { scratch.append(125) }
            item += 1
        }
        if scratch.count > end { scratch.removeLast(scratch.count - end) }
    }

    // MARK: - Echo

    /// Echo payload: 16 hex digits of the sequence number, 16 of the send time, then filler that
    /// depends on both, so a corrupted or misordered echo is caught byte for byte.
    private func fillEcho(_ buf: inout [UInt8], seq: Int, t: UInt64) {
        let size = options.size
        buf.removeAll(keepingCapacity: true)
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        for k in stride(from: 60, through: 0, by: -4) { buf.append(hex[Int((UInt64(seq) >> UInt64(k)) & 15)]) }
        for k in stride(from: 60, through: 0, by: -4) { buf.append(hex[Int((t >> UInt64(k)) & 15)]) }
        var x = UInt64(seq) &* 31 &+ t
        while buf.count < size {
            buf.append(97 + UInt8(x % 26))
            x = x &* 6364136223846793005 &+ 1442695040888963407
            x ^= x >> 33
        }
    }

    private func sendEcho(_ c: Client) {
        let t = Sys.nowNs()
        let seq = c.sent
        c.echoTimes[seq % options.inflight] = t
        c.sent += 1
        fillEcho(&scratch, seq: seq, t: t)
        scratch.withUnsafeBytes { c.queueFrame(.text, $0, maskKey: UInt32(truncatingIfNeeded: random())) }
        stats.sent.add(1, ordering: .relaxed)
        scheduleFlush(c)
    }

    private func echoReceived(_ c: Client, _ m: UnsafeRawBufferPointer) {
        let seq = c.echoNextReceive
        guard seq < c.sent else { echoMismatches += 1; return }
        let t = c.echoTimes[seq % options.inflight]
        fillEcho(&echoScratch, seq: seq, t: t)
        let same = echoScratch.withUnsafeBytes { e in e.count == m.count && memcmpEqual(e, m) }
        c.echoNextReceive += 1
        c.acked += 1
        if !same {
            echoMismatches += 1
            closeClient(c, failure: "echo differs from what was sent")
            return
        }
        if now >= t { histogram.record(now - t) }
        lastReceiveNs = now
        stats.received.add(1, ordering: .relaxed)
        if shared.currentPhase == .run { sendEcho(c) }
    }
}

@inline(__always)
func memcmpEqual(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
    guard a.count == b.count else { return false }
    guard a.count > 0 else { return true }
    return memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0
}
