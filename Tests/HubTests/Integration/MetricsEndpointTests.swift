import Foundation
import Testing
import WSProtocol

@testable import Hub

@Suite struct MetricsEndpointTests {
    /// Every sample follows its own HELP and TYPE lines, names start with hub_, values are integers,
    /// and the counters move with what the hub did.
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
            var samples: [String: Int] = [:]
            for line in text.split(separator: "\n") {
                let parts = line.split(separator: " ", maxSplits: 3).map(String.init)
                if line.hasPrefix("# HELP ") {
                    helped.insert(parts[2])
                } else if line.hasPrefix("# TYPE ") {
                    #expect(["counter", "gauge"].contains(parts[3]))
                    typed[parts[2]] = parts[3]
                } else {
                    let name = String(parts[0].prefix { $0 != "{" })
                    #expect(name.hasPrefix("hub_"), "\(line)")
                    #expect(typed[name] != nil && helped.contains(name), "sample before its TYPE/HELP: \(line)")
                    if typed[name] == "counter" { #expect(name.hasSuffix("_total"), "\(name)") }
                    let value = try #require(Int(parts[1]), "\(line)")
                    samples[parts[0]] = value
                }
            }
            #expect(samples["hub_connections_accepted_total"] ?? 0 >= 2)
            #expect(samples["hub_connections_open"] ?? 0 >= 1)  // the /metrics request itself
            #expect(samples["hub_limit_trips_total{limit=\"rate\"}"] == 0)
            #expect(samples.count >= 20)
        }
    }
}
