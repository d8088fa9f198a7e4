import Synchronization

/// `/metrics` in the Prometheus text exposition format (version 0.0.4): `# HELP`, `# TYPE`, then
/// samples, every name prefixed `hub_`. Counters are summed on read from the relaxed atomics the
/// loops bump.
enum MetricsExposition {
    static func render(_ m: ServerMetrics) -> [UInt8] {
        var out = ""
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(String, Int)]) {
            out += "# HELP hub_\(name) \(help)\n# TYPE hub_\(name) \(type)\n"
            for (labels, value) in samples { out += "hub_\(name)\(labels) \(value)\n" }
        }
        func counter(_ name: String, _ help: String, _ value: Int) { metric(name, "counter", help, [("", value)]) }
        func gauge(_ name: String, _ help: String, _ value: Int) { metric(name, "gauge", help, [("", value)]) }
        let l = { (a: Atomic) -> Int in a.load(ordering: .relaxed) }
        counter("connections_accepted_total", "TCP connections accepted.", l(m.accepted))
        gauge("connections_open", "TCP connections open now.", l(m.open))
        counter("connections_refused_total", "Connections refused at max_connections.", l(m.refusedOverLimit))
        counter("accept_errors_total", "accept(2) failures.", l(m.acceptErrors))
        gauge("websockets_open", "WebSocket connections open now.", l(m.webSocketsOpen))
        counter("websockets_total", "WebSocket connections opened.", l(m.webSocketsTotal))
        counter("http_rejections_total", "HTTP requests answered with a 4xx/5xx by the parser or handshake.", l(m.httpRejections))
        counter("protocol_errors_total", "Connections failed for an RFC 6455 violation.", l(m.protocolErrors))
        counter("handshake_timeouts_total", "Connections closed at the handshake timeout.", l(m.handshakeTimeouts))
        counter("idle_timeouts_total", "Connections closed at the idle timeout.", l(m.idleTimeouts))
        counter("commands_total", "Protocol v1 commands received.", l(m.commands))
        counter("command_errors_total", "Error replies sent.", l(m.commandErrors))
        counter("publications_total", "Publications accepted from clients and the API.", l(m.publications))
        counter("frames_encoded_total", "Publication frames encoded (once per loop, not per subscriber).", l(m.framesEncoded))
        counter("deflate_calls_total", "Messages compressed (once per loop and window size for publications).", l(m.deflateCalls))
        counter("deliveries_total", "Publication frames queued to subscribers.", l(m.deliveries))
        counter("slow_consumers_total", "Connections closed with 4408 (outbound queue over max_outbound_bytes).", l(m.slowConsumers))
        metric("limit_trips_total", "counter", "Commands refused by a limit.", [
            ("{limit=\"command_size\"}", l(m.commandSizeTrips)), ("{limit=\"rate\"}", l(m.rateLimitTrips)),
            ("{limit=\"topics\"}", l(m.topicLimitTrips)),
        ])
        return Array(out.utf8)
    }
}
