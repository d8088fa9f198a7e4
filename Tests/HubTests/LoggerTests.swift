import Foundation
import Testing
@testable import Hub

@Suite struct LoggerTests {
    private func parse(_ line: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
        return try #require(object as? [String: Any])
    }

    @Test func linesAreJSONWithFieldsInOrder() throws {
        let sink = MemoryLogSink()
        let logger = Logger(sink: sink)
        let host = "127.0.0.1"
        logger.info("listening", [("url", "ws://\(host):8080"), ("port", 8080), ("ratio", 0.5), ("tls", false),
                                  ("peer", nil), ("path", .string(host))])
        let lines = sink.lines
        #expect(lines.count == 1)
        let line = try #require(lines.first)
        let object = try parse(line)
        #expect(object["level"] as? String == "info")
        #expect(object["event"] as? String == "listening")
        #expect(object["url"] as? String == "ws://127.0.0.1:8080")
        #expect(object["port"] as? Int == 8080)
        #expect(object["ratio"] as? Double == 0.5)
        #expect(object["tls"] as? Bool == false)
        #expect(object["peer"] is NSNull)
        #expect(line.hasPrefix(#"{"time":""#))
        #expect(line.hasSuffix(#"","level":"info","event":"listening","url":"ws://127.0.0.1:8080","port":8080,"ratio":0.5,"tls":false,"peer":null,"path":"127.0.0.1"}"#))
        let time = try #require(object["time"] as? String)
        #expect(time.count == 24 && time.hasSuffix("Z"))
    }

    @Test func labelComesBeforeEvent() throws {
        let sink = MemoryLogSink()
        Logger(label: "loop-1", sink: sink).warning("slow")
        let line = try #require(sink.lines.first)
        #expect(line.hasSuffix(#""level":"warning","label":"loop-1","event":"slow"}"#))
    }

    @Test func escapesStrings() throws {
        let tricky = "quote\" backslash\\ newline\n tab\t cr\r nul\u{0} bell\u{7} unit\u{1F} é 😀 del\u{7F}"
        let sink = MemoryLogSink()
        Logger(sink: sink).error("bad \"event\"\n", [("key\"\n", .string(tricky))])
        let line = try #require(sink.lines.first)
        #expect(!line.contains("\n"))
        #expect(line.contains(#"quote\" backslash\\ newline\n tab\t cr\r nul\u0000 bell\u0007 unit\u001f é 😀 del"#))
        let object = try parse(line)
        #expect(object["event"] as? String == "bad \"event\"\n")
        #expect(object["key\"\n"] as? String == tricky)
    }

    @Test func nonFiniteDoublesBecomeNull() throws {
        var out: [UInt8] = []
        LogLineEncoder.appendValue(.double(.nan), to: &out)
        LogLineEncoder.appendValue(.double(-.infinity), to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "nullnull")
    }

    @Test func disabledLevelsAreNotEvaluated() {
        let sink = MemoryLogSink()
        var logger = Logger(level: .warning, sink: sink)
        var evaluations = 0
        func event() -> String {
            evaluations += 1
            return "e"
        }
        func fields() -> [(String, LogValue)] {
            evaluations += 1
            return [("n", 1)]
        }
        logger.trace(event(), fields())
        logger.debug(event(), fields())
        logger.info(event(), fields())
        logger.log(.info, event(), fields())
        #expect(evaluations == 0)
        #expect(sink.lines.isEmpty)
        logger.warning(event(), fields())
        logger.error(event(), fields())
        #expect(evaluations == 4)
        #expect(sink.lines.count == 2)
        logger.level = .trace
        logger.trace(event())
        #expect(sink.lines.count == 3)
        #expect(logger.isEnabled(.trace))
    }

    @Test func levelsAreOrdered() {
        #expect(LogLevel.allCases == [.trace, .debug, .info, .warning, .error])
        #expect(LogLevel.trace < .debug && LogLevel.warning < .error)
        for level in LogLevel.allCases { #expect(LogLevel(name: level.name) == level) }
        #expect(LogLevel(name: "WARNING") == .warning)
        #expect(LogLevel(name: "warn") == nil)
    }

    @Test func timestampFormat() {
        // 2026-12-04T11:00:00Z is 1796382000 seconds after the epoch.
        #expect(LogTimestamp(seconds: 1_796_382_000, nanoseconds: 123_456_789).formatted == "2026-12-04T11:00:00.123Z")
        #expect(LogTimestamp(seconds: 0, nanoseconds: 0).formatted == "1970-01-01T00:00:00.000Z")
        #expect(LogTimestamp(seconds: 951_782_400, nanoseconds: 999_999_999).formatted == "2000-02-29T00:00:00.999Z")
    }

    @Test func concurrentWritersKeepWholeLines() async throws {
        let sink = MemoryLogSink()
        let logger = Logger(sink: sink)
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for index in 0..<100 { logger.info("tick", [("task", .int(task)), ("index", .int(index))]) }
                }
            }
        }
        #expect(sink.lines.count == 800)
        for line in sink.lines { _ = try parse(line) }
    }

    @Test func stderrSinkWritesWholeLinesToADescriptor() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]) }
        let logger = Logger(sink: StderrLogSink(fileDescriptor: fds[1]))
        logger.info("hello", [("n", 1)])
        close(fds[1])
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = read(fds[0], &buffer, buffer.count)
        let text = String(decoding: buffer[..<max(count, 0)], as: UTF8.self)
        #expect(text.hasSuffix(#""event":"hello","n":1}"# + "\n"))
    }
}
