import Synchronization

/// `/metrics` in the Prometheus text exposition format (version 0.0.4): `# HELP`, `# TYPE`, then
/// samples, every name prefixed `hub_`. Counters are summed on read from the relaxed atomics the
/// loops bump; the publish→write histogram is cumulative per bucket, in seconds. Circuit breakers
/// and caches add one sample per breaker (`name` label) or cache (`cache` label); their families
/// are left out when there are none.
enum MetricsExposition {
    static func render(_ m: ServerMetrics, uptimeSeconds: Double = 0,
                       residentBytes: Int = AdminStream.residentBytes(),
                       breakers: [CircuitBreakerSnapshot] = [], caches: [CacheStats] = []) -> [UInt8] {
        var out = ""
        out.reserveCapacity(6144)
        func family(_ name: String, _ type: String, _ help: String) {
            out += "# HELP hub_\(name) \(help)\n# TYPE hub_\(name) \(type)\n"
        }
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(String, Int)]) {
            family(name, type, help)
            for (labels, value) in samples { out += "hub_\(name)\(labels) \(value)\n" }
        }
        func counter(_ name: String, _ help: String, _ value: Int) { metric(name, "counter", help, [("", value)]) }
        func gauge(_ name: String, _ help: String, _ value: Int) { metric(name, "gauge", help, [("", value)]) }
        let l = { (a: Atomic) -> Int in a.load(ordering: .relaxed) }
        counter("connections_accepted_total", "TCP connections accepted.", l(m.accepted))
        gauge("connections_open", "TCP connections open now.", l(m.open))
        counter("connections_refused_total", "Connections refused at max_connections.", l(m.refusedOverLimit))
        counter("accept_errors_total", "accept(2) failures.", l(m.acceptErrors))
        // Per endpoint; sum over `endpoint` for the total (hub_websockets_total counts openings).
        let endpoints = m.endpointsOpen.withLock { $0 }
        let names = HealthRoutes.endpoints + endpoints.keys.filter { !HealthRoutes.endpoints.contains($0) }.sorted()
        metric("websockets_open", "gauge", "WebSocket connections open now, per endpoint.",
               names.map { ("{endpoint=\"\(label($0))\"}", endpoints[$0] ?? 0) })
        counter("websockets_total", "WebSocket connections opened.", l(m.webSocketsTotal))
        counter("http_rejections_total", "HTTP requests answered with a 4xx/5xx by the parser or handshake.", l(m.httpRejections))
        counter("protocol_errors_total", "Connections failed for an RFC 6455 violation.", l(m.protocolErrors))
        counter("handshake_timeouts_total", "Connections closed at the handshake timeout.", l(m.handshakeTimeouts))
        counter("idle_timeouts_total", "Connections closed at the idle timeout.", l(m.idleTimeouts))
        counter("reaped_connections_total", "Connections whose deadline the idle-connection reaper had to enforce (a missed timer).", l(m.reaped))
        counter("commands_total", "Protocol v1 commands received.", l(m.commands))
        counter("command_errors_total", "Error replies sent.", l(m.commandErrors))
        counter("publications_total", "Publications accepted from clients and the API.", l(m.publications))
        counter("frames_encoded_total", "Publication frames encoded (once per loop, not per subscriber).", l(m.framesEncoded))
        counter("deflate_calls_total", "Messages compressed (once per loop and window size for publications).", l(m.deflateCalls))
        counter("deliveries_total", "Publication frames queued to subscribers.", l(m.deliveries))
        counter("slow_consumers_total", "Connections closed with 4408 (outbound queue over max_outbound_bytes).", l(m.slowConsumers))
        counter("auth_failures_total", "Failed token checks (sessions and the HTTP API).", l(m.authFailures))
        metric("limit_trips_total", "counter", "Commands refused by a limit.", [
            ("{limit=\"command_size\"}", l(m.commandSizeTrips)), ("{limit=\"rate\"}", l(m.rateLimitTrips)),
            ("{limit=\"topics\"}", l(m.topicLimitTrips)),
        ])

        let (counts, sumMicros, total) = m.publishToWrite.snapshot()
        family("publish_to_write_seconds", "histogram", "Time from a publication to its write to subscriber sockets, per delivery batch.")
        var cumulative = 0
        for (i, bound) in LatencyHistogram.boundsMicros.enumerated() {
            cumulative += counts[i]
            out += "hub_publish_to_write_seconds_bucket{le=\"\(seconds(micros: bound))\"} \(cumulative)\n"
        }
        out += "hub_publish_to_write_seconds_bucket{le=\"+Inf\"} \(total)\n"
        out += "hub_publish_to_write_seconds_sum \(seconds(micros: sumMicros))\n"
        out += "hub_publish_to_write_seconds_count \(total)\n"

        if !breakers.isEmpty {
            func perBreaker(_ value: (CircuitBreakerSnapshot) -> Int) -> [(String, Int)] {
                breakers.map { ("{name=\"\(label($0.name))\"}", value($0)) }
            }
            metric("circuit_breaker_state", "gauge", "Circuit breaker state: 0 closed, 1 half-open, 2 open.",
                   perBreaker { $0.state.gaugeValue })
            metric("circuit_breaker_failures_total", "counter", "Calls through the breaker that failed (timeouts included).",
                   perBreaker(\.failures))
            metric("circuit_breaker_rejections_total", "counter", "Calls refused by an open or probing breaker.",
                   perBreaker(\.rejections))
            metric("circuit_breaker_opens_total", "counter", "Times the breaker opened.", perBreaker(\.opens))
        }
        if !caches.isEmpty {
            func perCache(_ value: (CacheStats) -> Int) -> [(String, Int)] {
                caches.map { ("{cache=\"\(label($0.name))\"}", value($0)) }
            }
            metric("cache_hits_total", "counter", "Cache lookups that found a live entry.", perCache(\.hits))
            metric("cache_misses_total", "counter", "Cache lookups that found nothing or an expired entry.", perCache(\.misses))
            metric("cache_evictions_total", "counter", "Entries dropped to stay within the byte budget.", perCache(\.evictions))
            metric("cache_expirations_total", "counter", "Entries dropped at the end of their time to live.", perCache(\.expirations))
            metric("cache_bytes", "gauge", "Bytes held by the entries (the sum of their costs).", perCache(\.bytes))
            metric("cache_entries", "gauge", "Entries held.", perCache(\.entries))
        }

        gauge("process_resident_bytes", "Resident set size of the hub process.", residentBytes)
        family("uptime_seconds", "gauge", "Seconds since the server started.")
        out += "hub_uptime_seconds \(seconds(micros: Int(uptimeSeconds * 1_000_000)))\n"
        metric("build_info", "gauge", "The hub's build; the value is always 1.",
               [("{version=\"\(label(HubVersion.current))\"}", 1)])
        return Array(out.utf8)
    }

    /// Microseconds as decimal seconds, without exponent: 50 → `0.00005`, 1000000 → `1.0`.
    static func seconds(micros: Int) -> String {
        let s = HealthRoutes.decimal(micros, scale: 1_000_000)
        return s.contains(".") ? s : s + ".0"
    }

    /// A label value escaped as the text format asks (`\`, `"`, newline).
    static func label(_ value: String) -> String {
        var out = ""
        for ch in value {
            switch ch {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(ch)
            }
        }
        return out
    }
}
