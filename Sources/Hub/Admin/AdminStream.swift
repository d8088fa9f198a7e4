import Broadcast
import Dispatch
import Foundation
import Synchronization

/// The admin stream: every `admin_interval` (the `admin_stream` task of the server's scheduler)
/// a JSON snapshot of the hub is published on `admin.metrics`, which `/ws/admin` sessions are
/// subscribed to from the start (PROTOCOL.md: snapshots arrive without subscribing). Rates are
/// per second since the previous snapshot.
final class AdminStream: Sendable {
    static let topic = "admin.metrics"

    private struct Previous {
        var timeNs: UInt64 = 0
        var messagesIn = 0
        var deliveries = 0
        var publications = 0
        var bytesIn = 0
        var bytesOut = 0
        var latency: [Int] = []
    }

    private let server: Server
    private let port: BusPort
    private let previous = Mutex(Previous())
    private let startedNs = MonotonicClock.nowNs()

    init(server: Server) {
        self.server = server
        self.port = server.bus.publisherPort()
    }

    /// Builds one snapshot and publishes it.
    func publish() async {
        let json = await snapshot()
        port.publish(topic: Self.topic, data: json, from: nil) { _ in }
    }

    /// The snapshot as JSON bytes.
    func snapshot() async -> [UInt8] {
        let m = server.metrics
        let loops = await server.loopSnapshots()
        let stats = await server.bus.stats()
        let now = MonotonicClock.nowNs()
        let (counts, _, _) = m.publishToWrite.snapshot()
        let io = await server.ioTotals()
        let cur = Previous(
            timeNs: now, messagesIn: m.commands.load(ordering: .relaxed) + m.messagesIn.load(ordering: .relaxed),
            deliveries: m.deliveries.load(ordering: .relaxed), publications: m.publications.load(ordering: .relaxed),
            bytesIn: io.bytesIn, bytesOut: io.bytesOut, latency: counts)
        let prev = previous.withLock { p -> Previous in
            let old = p
            p = cur
            return old
        }
        // The scheduler never overlaps two runs, but `snapshot()` may also be called directly:
        // `prev` can then be newer than `now`, so no unsigned subtraction that could trap.
        let seconds = prev.timeNs == 0 ? 1 : max(0.001, Double(now > prev.timeNs ? now - prev.timeNs : 0) / 1e9)
        func rate(_ a: Int, _ b: Int) -> Double { prev.timeNs == 0 ? 0 : (Double(a - b) / seconds * 10).rounded() / 10 }
        let before = prev.latency.isEmpty ? Array(repeating: 0, count: counts.count) : prev.latency
        let endpoints = m.endpointsOpen.withLock { $0 }
        var o = JSONObjectWriter(reservingCapacity: 1024)
        o.int("time", Int(Session.unixNow()))
        o.int("uptime_s", Int((now - startedNs) / 1_000_000_000))
        o.string("node", server.node)
        o.object("connections") { c in
            c.int("total", m.open.load(ordering: .relaxed))
            for name in ["echo", "ws", "ws_auth", "ws_admin"] { c.int(name, endpoints[name] ?? 0) }
        }
        o.raw("messages_in_per_s", Array(String(rate(cur.messagesIn, prev.messagesIn)).utf8))
        o.raw("messages_out_per_s", Array(String(rate(cur.deliveries, prev.deliveries)).utf8))
        o.raw("publications_per_s", Array(String(rate(cur.publications, prev.publications)).utf8))
        o.raw("bytes_in_per_s", Array(String(rate(cur.bytesIn, prev.bytesIn)).utf8))
        o.raw("bytes_out_per_s", Array(String(rate(cur.bytesOut, prev.bytesOut)).utf8))
        o.int("topics", stats.topics)
        o.int("subscriptions", stats.subscriptions)
        o.object("latency_ms") { l in
            if let p50 = LatencyHistogram.quantileMs(0.5, counts: counts, since: before) {
                l.raw("p50", Array(String(p50).utf8))
            } else { l.null("p50") }
            if let p99 = LatencyHistogram.quantileMs(0.99, counts: counts, since: before) {
                l.raw("p99", Array(String(p99).utf8))
            } else { l.null("p99") }
        }
        o.array("loops") { a in
            for l in loops {
                a.object { e in
                    e.int("index", l.index)
                    e.int("connections", l.connections)
                    e.int("queue_depth", l.mailboxDepth)
                    e.int("queued_bytes", l.queuedBytes)
                }
            }
        }
        o.int("rss_bytes", Self.residentBytes())
        o.int("slow_consumer_closes", m.slowConsumers.load(ordering: .relaxed))
        o.int("rate_limit_closes", m.rateLimitCloses.load(ordering: .relaxed))
        o.int("auth_failures", m.authFailures.load(ordering: .relaxed))
        o.object("health") { h in
            h.string("websocket", "ok")
            h.string("bus", "ok")
        }
        return o.finish()
    }

    /// Resident set size from /proc/self/statm.
    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
