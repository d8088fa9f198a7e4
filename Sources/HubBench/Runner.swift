import Foundation

/// The main thread: builds the loops, hands them their connections, steps the phases, prints
/// progress once a second and the one result line at the end.
final class Runner {
    let o: Options
    let shared = Shared()
    var loops: [BenchLoop] = []
    let startNs = Sys.nowNs()
    private var lastProgressNs: UInt64 = 0
    private var progressMark: (ns: UInt64, received: Int) = (0, 0)
    private let done = DispatchSemaphore(value: 0)
    var notes: [String] = []

    init(options: Options) { o = options }

    // Sums over the loops' counters.
    func sum(_ counter: Counter) -> Int {
        loops.reduce(0) { $0 + $1.stats.value(counter) }
    }

    var elapsed: Double { Double(Sys.nowNs() - startNs) / 1e9 }

    func progress(_ label: String) {
        guard o.progress else { return }
        let now = Sys.nowNs()
        guard now - lastProgressNs >= 1_000_000_000 else { return }
        lastProgressNs = now
        let received = sum(.received)
        let rate = progressMark.ns == 0 ? 0 : Double(received - progressMark.received) / (Double(now - progressMark.ns) / 1e9)
        progressMark = (now, received)
        var line = String(format: "hub-bench [%6.1fs] %@ %@: open=%d ready=%d failed=%d", elapsed, o.mode.rawValue, label,
                          sum(.open), sum(.ready), sum(.failed))
        switch o.mode {
        case .connect: break
        case .echo: line += " sent=\(sum(.sent)) received=\(received) (\(Int(rate))/s)"
        case .fanout, .churn:
            line += " published=\(sum(.acked)) received=\(received) (\(Int(rate))/s)"
            if o.mode == .churn { line += " reconnects=\(sum(.reconnects))" }
            if shared.target.load(ordering: .relaxed) >= 0 { line += " complete=\(sum(.complete))" }
        }
        Sys.write(2, line + "\n")
    }

    /// Waits until `cond` holds; false when nothing moved for `o.timeout` seconds.
    func wait(_ label: String, _ cond: () -> Bool) -> Bool {
        var lastSig = -1
        var lastChange = Sys.nowNs()
        while !cond() {
            var sig = sum(.ready)
            sig = sig &+ sum(.received) &* 3
            sig = sig &+ sum(.acked) &* 7
            sig = sig &+ sum(.failed) &* 11
            sig = sig &+ sum(.complete) &* 13
            sig = sig &+ sum(.reconnects) &* 17
            let now = Sys.nowNs()
            if sig != lastSig { lastSig = sig; lastChange = now }
            if Double(now - lastChange) / 1e9 > o.timeout {
                notes.append("stalled_in=\(label)")
                return false
            }
            progress(label)
            usleep(2000)
        }
        return true
    }

    func sleep(_ label: String, seconds: Double) {
        let end = Sys.nowNs() + UInt64(seconds * 1e9)
        while Sys.nowNs() < end {
            progress(label)
            usleep(2000)
        }
    }

    /// Sets the phase and waits until every loop has finished a turn in it (so no loop still
    /// acts on the previous one).
    func setAndWait(_ p: Phase) {
        shared.set(p)
        while loops.contains(where: { $0.stats.seenPhase.load(ordering: .acquiring) != p.rawValue }) { usleep(500) }
    }

    func startThreads() {
        for loop in loops {
            let sem = done
            let t = Thread {
                loop.run()
                sem.signal()
            }
            t.name = "hub-bench-\(loop.index)"
            t.start()
        }
    }

    func stopThreads() {
        shared.set(.stop)
        for _ in loops { done.wait() }
    }

    func run() -> Int32 {
        let limit = Sys.raiseFileLimit()
        let sockets = o.connections + (o.mode == .fanout ? o.publishers : (o.mode == .churn ? 1 : 0))
        if sockets + 32 > limit {
            Sys.write(2, "hub-bench: \(sockets) sockets need more than the file-descriptor limit (\(limit)) allows\n")
            return 2
        }
        for i in 0..<o.threads {
            loops.append(BenchLoop(index: i, options: o, shared: shared, seed: UInt64(truncatingIfNeeded: Sys.nowNs()) &+ UInt64(i) &* 0x9E37_79B9))
        }
        if o.progress {
            Sys.write(2, "hub-bench: \(o.mode.rawValue) ws://\(o.host):\(o.port) \(sockets) sockets, \(o.threads) threads, \(o.sources) source addresses, fd limit \(limit)\n")
        }
        switch o.mode {
        case .connect: return runConnect()
        case .echo: return runEcho()
        case .fanout: return runFanout()
        case .churn: return runChurn()
        }
    }

    // MARK: - Results

    var failures: [String: Int] {
        var all: [String: Int] = [:]
        for l in loops { for (k, v) in l.failures { all[k, default: 0] += v } }
        return all
    }

    var closeCodes: [Int: Int] {
        var all: [Int: Int] = [:]
        for l in loops { for (k, v) in l.closeCodes { all[k, default: 0] += v } }
        return all
    }

    var histogram: Histogram {
        var h = Histogram()
        for l in loops { h.merge(l.histogram) }
        return h
    }

    func us(_ ns: UInt64) -> String { String(format: "%.1f", Double(ns) / 1000) }

    func latencyFields(_ prefix: String) -> [String] {
        let h = histogram
        return ["\(prefix)_samples=\(h.total)", "\(prefix)_p50_us=\(us(h.percentile(0.5)))", "\(prefix)_p99_us=\(us(h.percentile(0.99)))",
                "\(prefix)_p999_us=\(us(h.percentile(0.999)))", "\(prefix)_max_us=\(us(h.maxValue))", "\(prefix)_mean_us=\(us(h.mean))"]
    }

    func finish(_ fields: [String], ok: Bool) -> Int32 {
        let f = failures
        var out = ["mode=\(o.smoke ? "smoke" : o.mode.rawValue)", "result=\(ok && f.isEmpty ? "ok" : "fail")"] + fields
        out.append("failures=\(f.values.reduce(0, +))")
        if !f.isEmpty {
            let top = f.sorted { $0.value > $1.value }.prefix(5).map { "\($0.value)x[\($0.key)]" }.joined(separator: ",")
            Sys.write(2, "hub-bench: failures: \(top)\n")
            out.append("failure_kinds=\(f.count)")
        }
        let codes = closeCodes
        if !codes.isEmpty { out.append("close_codes=" + codes.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ",")) }
        out += notes
        Sys.write(1, "hub-bench: " + out.joined(separator: " ") + "\n")
        return ok && f.isEmpty ? 0 : 1
    }

    func rate(_ n: Int, _ ns: UInt64) -> String { ns == 0 ? "0" : String(format: "%.0f", Double(n) / (Double(ns) / 1e9)) }

    // MARK: - connect

    func runConnect() -> Int32 {
        let path = o.token.map { "/ws/auth?token=\($0)" } ?? "/ws"
        for i in 0..<o.connections {
            loops[i % loops.count].enqueue(PendingOpen(id: i, role: .idle, path: path, tracker: nil, quota: 0, dueNs: 0))
        }
        let rssBefore = o.hubPid.flatMap { Sys.rssBytes(pid: $0) }
        let t0 = Sys.nowNs()
        startThreads()
        let allOpen = wait("opening") { sum(.ready) + sum(.failed) >= o.connections }
        let ready = sum(.ready)
        let failedConnect = sum(.failed)
        let openNs = (loops.map(\.lastOpenNs).max() ?? t0) - t0
        usleep(200_000)  // let the hub settle before measuring it
        let rssOpen = o.hubPid.flatMap { Sys.rssBytes(pid: $0) }
        sleep("holding", seconds: o.duration)
        let stillOpen = sum(.open)
        let rssAfter = o.hubPid.flatMap { Sys.rssBytes(pid: $0) }
        let dropped = sum(.failed) - failedConnect
        stopThreads()
        var fields = ["connections=\(o.connections)", "opened=\(ready)", "connect_failures=\(failedConnect)",
                      "time_to_all_open_s=\(String(format: "%.3f", Double(openNs) / 1e9))", "connect_rate=\(rate(ready, openNs))",
                      "held_s=\(o.duration)", "still_open=\(stillOpen)", "dropped_while_held=\(dropped)",
                      "threads=\(o.threads)", "sources=\(o.sources)"]
        if let rssBefore, let rssOpen {
            fields += ["hub_rss_before_kib=\(rssBefore / 1024)", "hub_rss_open_kib=\(rssOpen / 1024)",
                       "hub_rss_after_hold_kib=\((rssAfter ?? 0) / 1024)",
                       "hub_bytes_per_connection=\(ready > 0 ? (rssOpen - rssBefore) / ready : 0)"]
        }
        return finish(fields, ok: allOpen && ready == o.connections && dropped == 0 && stillOpen == o.connections)
    }

    // MARK: - echo

    func runEcho() -> Int32 {
        for i in 0..<o.connections {
            loops[i % loops.count].enqueue(PendingOpen(id: i, role: .echo, path: "/echo", tracker: nil, quota: 0, dueNs: 0))
        }
        startThreads()
        guard wait("opening", { sum(.ready) + sum(.failed) >= o.connections }), sum(.ready) == o.connections else {
            stopThreads()
            return finish(["connections=\(o.connections)", "opened=\(sum(.ready))"], ok: false)
        }
        let t0 = Sys.nowNs()
        shared.set(.run)
        sleep("echoing", seconds: o.duration)
        let windowNs = Sys.nowNs() - t0
        let inWindow = sum(.received)
        setAndWait(.drain)
        let drained = wait("draining") { sum(.received) >= sum(.sent) || sum(.failed) > 0 }
        let sent = sum(.sent), received = sum(.received)
        stopThreads()
        let mismatches = loops.reduce(0) { $0 + $1.echoMismatches }
        let deflate = loops.reduce(0) { $0 + $1.deflateNegotiated }
        var fields = ["connections=\(o.connections)", "inflight=\(o.inflight)", "size=\(o.size)", "deflate=\(o.deflate ? deflate : 0)",
                      "duration_s=\(String(format: "%.2f", Double(windowNs) / 1e9))", "messages_per_s=\(rate(inWindow, windowNs))",
                      "sent=\(sent)", "received=\(received)", "mismatches=\(mismatches)"]
        fields += latencyFields("rtt")
        fields.append("threads=\(o.threads)")
        return finish(fields, ok: drained && mismatches == 0 && sent == received)
    }

    // MARK: - fanout

    func runFanout() -> Int32 {
        for i in 0..<o.connections {
            loops[i % loops.count].enqueue(PendingOpen(id: i, role: .subscriber, path: "/ws",
                                                       tracker: Tracker(id: i, publishers: o.publishers), quota: 0, dueNs: 0))
        }
        for j in 0..<o.publishers {
            let quota = o.messages == 0 ? 0 : o.messages / o.publishers + (j < o.messages % o.publishers ? 1 : 0)
            if o.messages > 0 && quota == 0 { continue }
            loops[(o.connections + j) % loops.count].enqueue(PendingOpen(id: j, role: .publisher, path: "/ws", tracker: nil, quota: quota, dueNs: 0))
        }
        let publishers = o.messages > 0 ? min(o.publishers, o.messages) : o.publishers
        let expected = o.connections + publishers
        startThreads()
        guard wait("subscribing", { sum(.ready) + sum(.failed) >= expected }), sum(.ready) == expected else {
            stopThreads()
            return finish(["subscribers=\(o.connections)", "ready=\(sum(.ready))"], ok: false)
        }
        let t0 = Sys.nowNs()
        shared.set(.run)
        var ok = true
        if o.messages > 0 {
            ok = wait("publishing") { sum(.acked) >= o.messages }
        } else {
            sleep("publishing", seconds: o.duration)
        }
        setAndWait(.drain)
        ok = wait("acks") { sum(.acked) >= sum(.sent) } && ok
        let accepted = sum(.acked) - sum(.publishErrors)
        shared.target.store(accepted, ordering: .relaxed)
        ok = wait("delivering") { sum(.complete) >= o.connections } && ok
        stopThreads()

        var lost = 0, dups = 0, short = 0, extra = 0
        var bases: Set<Int> = []
        for l in loops {
            for t in l.trackers {
                lost += t.lost
                dups += t.duplicates
                if t.received < accepted { short += 1 }
                if t.received > accepted { extra += 1 }
                if t.lastOffset != t.baseOffset + accepted { short += t.received < accepted ? 0 : 1 }
                bases.insert(t.baseOffset)
            }
        }
        let seqErrors = loops.reduce(0) { $0 + $1.seqErrors }
        let deliveries = sum(.received)
        let deliverNs = (loops.map(\.lastReceiveNs).max() ?? t0) - t0
        let publishNs = (loops.map(\.lastAckNs).max() ?? t0) - t0
        var pubErrors: [String: Int] = [:]
        for l in loops { for (k, v) in l.publishErrors { pubErrors[k, default: 0] += v } }
        let deflate = loops.reduce(0) { $0 + $1.deflateNegotiated }
        let integrity = lost == 0 && dups == 0 && short == 0 && extra == 0 && seqErrors == 0 && pubErrors.isEmpty
        var fields = ["subscribers=\(o.connections)", "publishers=\(publishers)", "size=\(o.size)",
                      "outstanding=\(o.outstanding)", "rate=\(o.rate > 0 ? String(format: "%.0f", o.rate) : "max")",
                      "deflate=\(o.deflate ? deflate : 0)", "publications=\(accepted)", "deliveries=\(deliveries)",
                      "expected_deliveries=\(accepted * o.connections)",
                      "inflations=\(loops.reduce(0) { $0 + $1.inflations })",
                      "inflations_shared=\(loops.reduce(0) { $0 + $1.inflationsShared })"]
        if !o.smoke {
            fields += ["publish_s=\(String(format: "%.3f", Double(publishNs) / 1e9))", "publications_per_s=\(rate(accepted, publishNs))",
                       "deliver_s=\(String(format: "%.3f", Double(deliverNs) / 1e9))", "deliveries_per_s=\(rate(deliveries, deliverNs))"]
            fields += latencyFields("latency")
        }
        fields += ["lost=\(lost)", "duplicates=\(dups)", "reordered=\(seqErrors)", "incomplete_subscribers=\(short)",
                   "over_delivered_subscribers=\(extra)", "publish_errors=\(pubErrors.values.reduce(0, +))",
                   "base_offsets=\(bases.count)", "presence_pushes=\(loops.reduce(0) { $0 + $1.presencePushes })",
                   "integrity=\(integrity ? "ok" : "FAIL")", "threads=\(o.threads)"]
        if !pubErrors.isEmpty { fields.append("publish_error_codes=" + pubErrors.map { "\($0.key):\($0.value)" }.joined(separator: ",")) }
        return finish(fields, ok: ok && integrity)
    }

    // MARK: - churn

    func runChurn() -> Int32 {
        for i in 0..<o.connections {
            loops[i % loops.count].enqueue(PendingOpen(id: i, role: .subscriber, path: "/ws",
                                                       tracker: Tracker(id: i, publishers: 1), quota: 0, dueNs: 0))
        }
        loops[o.connections % loops.count].enqueue(PendingOpen(id: 0, role: .publisher, path: "/ws", tracker: nil, quota: 0, dueNs: 0))
        startThreads()
        guard wait("subscribing", { sum(.ready) + sum(.failed) >= o.connections + 1 }), sum(.ready) == o.connections + 1 else {
            stopThreads()
            return finish(["clients=\(o.connections)", "ready=\(sum(.ready))"], ok: false)
        }
        shared.set(.run)
        sleep("churning", seconds: o.duration)
        setAndWait(.drain)
        var ok = wait("acks") { sum(.acked) >= sum(.sent) }
        let final = loops.map { $0.stats.maxOffset.load(ordering: .relaxed) }.max() ?? 0
        shared.target.store(final, ordering: .relaxed)
        ok = wait("catching up") { sum(.complete) >= o.connections } && ok
        stopThreads()
        var lost = 0, dups = 0, recoverFailed = 0, behind = 0
        for l in loops {
            for t in l.trackers {
                lost += t.lost
                dups += t.duplicates
                recoverFailed += t.recoverFailed
                if t.lastOffset != final { behind += 1 }
            }
        }
        let published = sum(.acked) - sum(.publishErrors)
        let integrity = lost == 0 && dups == 0 && recoverFailed == 0 && behind == 0 && sum(.publishErrors) == 0
        var fields = ["clients=\(o.connections)", "rate=\(String(format: "%.0f", o.rate))", "life_ms=\(o.lifeMs)", "gap_ms=\(o.gapMs)",
                      "duration_s=\(o.duration)", "publications=\(published)", "final_offset=\(final)",
                      "disconnects=\(loops.reduce(0) { $0 + $1.churnClosed })", "reconnects=\(sum(.reconnects))",
                      "deliveries=\(sum(.received))", "lost=\(lost)", "duplicates=\(dups)", "recovered_false=\(recoverFailed)",
                      "behind=\(behind)", "publish_errors=\(sum(.publishErrors))", "integrity=\(integrity ? "ok" : "FAIL")"]
        fields += latencyFields("latency")
        fields.append("threads=\(o.threads)")
        return finish(fields, ok: ok && integrity)
    }
}
