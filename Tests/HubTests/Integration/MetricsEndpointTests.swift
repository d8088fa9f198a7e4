import Foundation
import Testing
import WSProtocol

@testable import Hub

@Suite struct MetricsEndpointTests {
    /// Every sample follows its own HELP and TYPE lines, names start with hub_, values are numbers
    /// (integers for counters and buckets), and the counters move with what the hub did.
    @Test func metricsAreWellFormedPrometheusTextAndCount() throws {
        try TestServer.run { server in
            // One request before this one: the accept counter must have seen both.
            _ = try ServerHTTPTests.exchange("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n", port: server.port)
            let r = try ServerHTTPTests.exchange("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", port: server.port)
            #expect(r.status == 200)
            #expect(r.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
            let text = String(decoding: r.body, as: UTF8.self)
            var typed: [String: String] = [:]
            var helped: Set<String> = []
            var samples: [String: Double] = [:]
            for line in text.split(separator: "\n") {
                let parts = line.split(separator: " ", maxSplits: 3).map(String.init)
                if line.hasPrefix("# HELP ") {
                    helped.insert(parts[2])
                } else if line.hasPrefix("# TYPE ") {
                    #expect(["counter", "gauge", "histogram"].contains(parts[3]))
                    typed[parts[2]] = parts[3]
                } else {
                    var name = String(parts[0].prefix { $0 != "{" })
                    #expect(name.hasPrefix("hub_"), "\(line)")
                    for suffix in ["_bucket", "_sum", "_count"] where typed[name] == nil && name.hasSuffix(suffix) {
                        name = String(name.dropLast(suffix.count))
                        #expect(typed[name] == "histogram", "\(line)")
                    }
                    #expect(typed[name] != nil && helped.contains(name), "sample before its TYPE/HELP: \(line)")
                    if typed[name] == "counter" { #expect(name.hasSuffix("_total"), "\(name)") }
                    let value = try #require(Double(parts[1]), "\(line)")
                    if typed[name] == "counter" || parts[0].contains("_bucket") { #expect(Int(parts[1]) != nil, "\(line)") }
                    samples[parts[0]] = value
                }
            }
            #expect(samples["hub_connections_accepted_total"] ?? 0 >= 2)
            #expect(samples["hub_connections_open"] ?? 0 >= 1)  // the /metrics request itself
            #expect(samples["hub_limit_trips_total{limit=\"rate\"}"] == 0)
            #expect(samples["hub_websockets_open{endpoint=\"ws\"}"] == 0)
            #expect(samples["hub_build_info{version=\"\(HubVersion.current)\"}"] == 1)
            #expect(samples["hub_publish_to_write_seconds_bucket{le=\"+Inf\"}"] == samples["hub_publish_to_write_seconds_count"])
            #expect(samples["hub_process_resident_bytes"] ?? 0 > 0)
            #expect(samples.count >= 20)
        }
    }

    /// Buckets are cumulative, in seconds, and end with +Inf = count; the sum is in seconds.
    @Test func histogramIsCumulativeInSeconds() {
        let m = ServerMetrics()
        m.publishToWrite.record(micros: 40)  // ≤ 50 µs
        m.publishToWrite.record(micros: 700)  // ≤ 1 ms
        m.publishToWrite.record(micros: 5_000_000)  // beyond the last bound
        let text = String(decoding: MetricsExposition.render(m, uptimeSeconds: 12.5, residentBytes: 4096), as: UTF8.self)
        #expect(text.contains("hub_publish_to_write_seconds_bucket{le=\"0.00005\"} 1\n"))
        #expect(text.contains("hub_publish_to_write_seconds_bucket{le=\"0.0005\"} 1\n"))
        #expect(text.contains("hub_publish_to_write_seconds_bucket{le=\"0.001\"} 2\n"))
        #expect(text.contains("hub_publish_to_write_seconds_bucket{le=\"1.0\"} 2\n"))
        #expect(text.contains("hub_publish_to_write_seconds_bucket{le=\"+Inf\"} 3\n"))
        #expect(text.contains("hub_publish_to_write_seconds_sum 5.00074\n"))
        #expect(text.contains("hub_publish_to_write_seconds_count 3\n"))
        #expect(text.contains("hub_uptime_seconds 12.5\n"))
        #expect(text.contains("hub_process_resident_bytes 4096\n"))
    }

    /// The package root (this file is Tests/HubTests/Integration/…).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// Parses the text with the reference parser and prints `name type` per family, then
    /// `sample name{labels} value` per sample; fails on a parse error.
    /// Feeds `body` to `prometheus_client`'s text parser (`parseScript`) and returns the families
    /// (name → type) and samples (name{labels} → value) it read, with its exit status and stderr.
    /// Assertion-free, so it may run on a thread of its own (`blocking`); callers check `status`.
    static func parseWithPrometheusClient(_ body: [UInt8], python: URL)
        throws -> (status: Int32, errors: String, families: [String: String], samples: [String: Double]) {
        let errorsPath = FileManager.default.temporaryDirectory.appendingPathComponent("prometheus-\(UUID().uuidString).err").path
        let process = try ChildProcess(python.path, ["-c", parseScript], stdin: .pipe, stdout: .pipe, stderr: .file(errorsPath))
        defer { try? FileManager.default.removeItem(atPath: errorsPath) }
        process.writeStdinAndClose(body)
        let out = String(decoding: ChildProcess.readToEnd(process.stdoutFD), as: UTF8.self)
        process.waitUntilExit()
        let err = (try? String(contentsOfFile: errorsPath, encoding: .utf8)) ?? ""
        var families: [String: String] = [:]
        var samples: [String: Double] = [:]
        for line in out.split(separator: "\n") {
            let parts = line.split(separator: " ").map(String.init)
            if parts[0] == "family" { families[parts[1]] = parts[2] }
            if parts[0] == "sample" { samples[parts[1]] = Double(parts[2]) }
        }
        return (process.terminationStatus, err, families, samples)
    }

    static let parseScript = """
        import sys
        from prometheus_client.parser import text_string_to_metric_families
        for f in text_string_to_metric_families(sys.stdin.read()):
            print("family", f.name, f.type)
            for s in f.samples:
                labels = ",".join(f'{k}={v}' for k, v in sorted(s.labels.items()))
                print("sample", s.name + "{" + labels + "}", repr(float(s.value)))
        """

    /// `/metrics` of a real server through `prometheus_client`'s parser (the venv of
    /// tools/requirements.txt: `make venv`, or `python3 -m venv .venv && .venv/bin/pip install -r
    /// tools/requirements.txt`).
    @Test func prometheusClientParsesTheExposition() async throws {
        let python = Self.packageRoot.appendingPathComponent(".venv/bin/python")
        try #require(FileManager.default.isExecutableFile(atPath: python.path),
                     "no venv at \(python.path): run `make venv` (or python3 -m venv .venv && .venv/bin/pip install -r tools/requirements.txt)")
        let body = try await TestServer.run { (server: Server) async throws -> [UInt8] in
            let port = server.port
            // Something in the histogram and a WebSocket open on /ws while /metrics is read.
            let client = try await blocking { () throws -> TestWebSocketClient in
                let c = try TestWebSocketClient(port: port, path: "/ws")
                _ = try c.readMessage()
                try c.sendText(#"{"op":"subscribe","topic":"public.m","id":1}"#)
                _ = try c.readMessage(timeout: 10)
                try c.sendText(#"{"op":"publish","topic":"public.m","data":1}"#)
                // The presence join comes first, then the publication.
                while !String(decoding: try c.readMessage(timeout: 10).payload, as: UTF8.self).contains(#""offset""#) {}
                return c
            }
            defer { withExtendedLifetime(client) {} }
            // The loop records the latency right after the write.
            _ = try await blocking { TestDeadline.waitUntil(timeout: 5) { server.metrics.publishToWrite.snapshot().count > 0 } }
            return try await OpsHTTP.get("/metrics", port: port).body
        }
        let (status, err, families, samples) = try Self.parseWithPrometheusClient(body, python: python)
        try #require(status == 0, "prometheus_client could not parse /metrics: \(err)")
        // The parser drops `_total` from counter family names.
        let expected: [String: String] = [
            "hub_publish_to_write_seconds": "histogram", "hub_websockets_open": "gauge", "hub_auth_failures": "counter",
            "hub_process_resident_bytes": "gauge", "hub_uptime_seconds": "gauge", "hub_build_info": "gauge",
            "hub_connections_accepted": "counter", "hub_limit_trips": "counter",
        ]
        for (name, type) in expected { #expect(families[name] == type, "\(name): \(families[name] ?? "missing")") }
        #expect(samples["hub_websockets_open{endpoint=ws}"] == 1)
        #expect(samples["hub_websockets_open{endpoint=ws_admin}"] == 0)
        #expect(samples["hub_build_info{version=\(HubVersion.current)}"] == 1)
        #expect(samples["hub_publish_to_write_seconds_count{}"] ?? 0 >= 1)
        #expect(samples["hub_publish_to_write_seconds_bucket{le=+Inf}"] == samples["hub_publish_to_write_seconds_count{}"])
        #expect(samples["hub_auth_failures_total{}"] == 0)
        #expect(samples["hub_uptime_seconds{}"] ?? -1 >= 0)
    }
}
