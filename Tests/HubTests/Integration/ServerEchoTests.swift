import Foundation
import Glibc
import Testing
@testable import Hub
import WSProtocol

/// `/echo` over real sockets: every text and binary message comes back unchanged.
@Suite struct ServerEchoTests {
    static let sizes = [0, 1, 125, 126, 65535, 65536, 1 << 20]

    /// Deterministic payloads: ASCII for text (valid UTF-8), every byte value for binary.
    static func payload(_ opcode: WebSocketOpcode, count: Int) -> [UInt8] {
        if opcode == .text { return (0..<count).map { UInt8(ascii: "a") + UInt8($0 % 26) } }
        var state: UInt32 = 0x9E37_79B9
        return (0..<count).map { _ in
            state = state &* 1_664_525 &+ 1_013_904_223
            return UInt8(truncatingIfNeeded: state >> 24)
        }
    }

    @Test(arguments: [WebSocketOpcode.text, .binary], sizes)
    func roundTrip(_ opcode: WebSocketOpcode, _ size: Int) async throws {
        try await TestServer.runOnThread { server in
            let client = try TestWebSocketClient(port: server.port)
            let payload = Self.payload(opcode, count: size)
            try client.send(opcode, payload)
            let echo = try client.readFrame(timeout: 5)
            #expect(echo.opcode == opcode)
            #expect(echo.fin)
            #expect(!echo.rsv1)
            #expect(echo.payload.count == size)
            #expect(echo.payload == payload)
        }
    }

    /// The server's header uses the minimal length encoding (§5.2), checked byte for byte.
    @Test func echoHeaderBytes() async throws {
        try await TestServer.runOnThread { server in
            let client = try TestWebSocketClient(port: server.port)
            try client.send(.binary, [UInt8](repeating: 7, count: 126))
            try client.send(.binary, [UInt8](repeating: 7, count: 65536))
            let raw = try client.readRaw(count: 4 + 126 + 10 + 65536)
            #expect(Array(raw[0..<4]) == [0x82, 0x7E, 0x00, 0x7E])
            #expect(Array(raw[130..<140]) == [0x82, 0x7F, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00])
        }
    }

    @Test func fragmentedMessageIsEchoedAsOne() async throws {
        try await TestServer.runOnThread { server in
            let client = try TestWebSocketClient(port: server.port)
            try client.send(.text, Array("Hel".utf8), fin: false)
            try client.send(.continuation, Array("lo, ".utf8), fin: false)
            try client.send(.continuation, [], fin: false)
            try client.send(.continuation, Array("world".utf8), fin: true)
            let echo = try client.readFrame()
            #expect(echo == TestFrame(opcode: .text, fin: true, rsv1: false, payload: Array("Hello, world".utf8)))
        }
    }

    /// A control frame between fragments is answered at once (§5.4); the message follows whole.
    @Test func pingBetweenFragments() async throws {
        try await TestServer.runOnThread { server in
            let client = try TestWebSocketClient(port: server.port)
            try client.send(.binary, [1, 2], fin: false)
            try client.send(.ping, Array("mid".utf8))
            try client.send(.continuation, [3], fin: true)
            #expect(try client.readFrame() == TestFrame(opcode: .pong, fin: true, rsv1: false, payload: Array("mid".utf8)))
            #expect(try client.readFrame() == TestFrame(opcode: .binary, fin: true, rsv1: false, payload: [1, 2, 3]))
        }
    }

    @Test func pingGetsPongWithTheSamePayload() async throws {
        try await TestServer.runOnThread { server in
            let client = try TestWebSocketClient(port: server.port)
            let payload = Array(0..<125).map { UInt8($0) }
            try client.send(.ping, payload)
            try client.send(.ping, [])
            let raw = try client.readRaw(count: 2 + 125 + 2)
            #expect(raw == [0x8A, 0x7D] + payload + [0x8A, 0x00])
        }
    }

    /// An unsolicited pong is ignored (§5.5.3): nothing comes back, and the connection stays open.
    @Test func unsolicitedPongIsIgnored() async throws {
        try await TestServer.runOnThread { server in
            let client = try TestWebSocketClient(port: server.port)
            try client.send(.pong, [9, 9])
            try client.sendText("after")
            #expect(try client.readFrame() == TestFrame(opcode: .text, fin: true, rsv1: false, payload: Array("after".utf8)))
        }
    }

    @Test func messageSplitIntoSingleByteWrites() async throws {
        try await TestServer.runOnThread { server in
            let client = try TestWebSocketClient(port: server.port)
            let payload = Array("split into one-byte TCP writes, header and mask included".utf8)
            let frame = WebSocketFrameEncoder.frame(.text, payload: payload, maskKey: client.randomMaskKey())
            for b in frame {
                try client.sendRaw([b])
                usleep(100)
            }
            #expect(try client.readFrame().payload == payload)
        }
    }

    @Test func pipelinedMessagesAreEchoedInOrder() async throws {
        try await TestServer.runOnThread { server in
            let client = try TestWebSocketClient(port: server.port)
            var batch: [UInt8] = []
            for i in 0..<200 {
                let opcode: WebSocketOpcode = i % 2 == 0 ? .text : .binary
                batch += WebSocketFrameEncoder.frame(opcode, payload: Array("message \(i)".utf8), maskKey: client.randomMaskKey())
            }
            try client.sendRaw(batch)
            for i in 0..<200 {
                let frame = try client.readFrame()
                #expect(frame.opcode == (i % 2 == 0 ? .text : .binary))
                #expect(String(decoding: frame.payload, as: UTF8.self) == "message \(i)")
            }
        }
    }

    /// 16 MiB of echo for a client that reads late: the server stops reading while more than
    /// 8 MiB is queued and resumes as the client drains, losing and reordering nothing.
    @Test func backpressureKeepsEveryEcho() async throws {
        try await TestServer.runOnThread { server in
            let client = try TestWebSocketClient(port: server.port)
            let count = 16
            var batch: [UInt8] = []
            for i in 0..<count {
                var payload = [UInt8](repeating: UInt8(i), count: 1 << 20)
                payload[0] = 0xA0
                batch += WebSocketFrameEncoder.frame(.binary, payload: payload, maskKey: client.randomMaskKey())
            }
            let fd = client.socket.fd
            let sent = DispatchSemaphore(value: 0)
            let sender = Thread { [batch] in
                var offset = 0
                while offset < batch.count {
                    let n = batch.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
                    if n <= 0 { break }
                    offset += n
                }
                sent.signal()
            }
            sender.start()
            usleep(300_000)  // let the server's queue fill while nobody reads
            for i in 0..<count {
                let echo = try client.readFrame(timeout: 5)
                #expect(echo.opcode == .binary)
                #expect(echo.payload.count == 1 << 20)
                #expect(echo.payload.first == 0xA0 && echo.payload.last == UInt8(i), "message \(i) out of order")
            }
            #expect(sent.wait(timeout: .now() + 5) == .success)
        }
    }

    // MARK: - permessage-deflate

    static let deflateOffer = [("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits")]

    /// RFC 7692 §7.2.3.1: "Hello" compresses to `f2 48 cd c9 c9 07 00`; the echo comes back
    /// compressed, RSV1 set, as exactly those bytes (the server never takes over context).
    @Test func compressedHelloIsEchoedCompressed() async throws {
        try await TestServer.runOnThread { server in
            let client = try TestWebSocketClient(port: server.port, extraHeaders: Self.deflateOffer)
            try #require(client.deflateNegotiated)
            try client.send(.text, [0xF2, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00], rsv1: true)
            let raw = try client.readRaw(count: 9)
            #expect(raw == [0xC1, 0x07, 0xF2, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00])
        }
    }

    /// Client messages compressed with context takeover (the second "Hello" refers back to the
    /// first, RFC 7692 §7.2.3.2) inflate on the server; each echo is compressed on its own.
    @Test func compressedMessagesWithClientContextTakeover() async throws {
        try await TestServer.runOnThread { server in
            let client = try TestWebSocketClient(port: server.port, extraHeaders: Self.deflateOffer)
            try #require(client.deflateNegotiated)
            let deflater = Deflater(windowBits: 15)
            let inflater = Inflater(windowBits: 15)
            let messages: [[UInt8]] = [
                Array("Hello".utf8), Array("Hello".utf8), [],
                Array(String(repeating: "the hub echoes what it inflated ", count: 2000).utf8),
                Self.payload(.binary, count: 70_000),
            ]
            for (i, message) in messages.enumerated() {
                let compressed = deflater.compressMessage(message, noContextTakeover: false)
                if i == 1 { #expect(compressed == [0xF2, 0x00, 0x11, 0x00, 0x00]) }
                let opcode: WebSocketOpcode = i == 4 ? .binary : .text
                try client.send(opcode, compressed, rsv1: true)
                let echo = try client.readMessage(timeout: 5)
                #expect(echo.opcode == opcode)
                #expect(echo.rsv1, "echo \(i) not compressed")
                let inflated = try inflater.inflateMessage(echo.payload, limit: 1 << 24, noContextTakeover: true)
                #expect(inflated == message, "message \(i)")
            }
        }
    }

    /// Window sizes the client asks for are honoured both ways (RFC 7692 §7.1.2): the client
    /// compresses with `client_max_window_bits`, and the server's echo inflates with an inflater
    /// whose window is only `server_max_window_bits`. The message is 2 KiB blocks each repeated
    /// once, 128 KiB in all (well past the inflater's 16 KiB output chunk, so back-references
    /// must come from its window): an echo compressed with a wider window fails to inflate.
    @Test(arguments: [(9, 10), (15, 10), (8, 15), (12, 9)])
    func negotiatedWindowBits(_ clientBits: Int, _ serverBits: Int) async throws {
        let offer = "permessage-deflate; client_max_window_bits=\(clientBits); server_max_window_bits=\(serverBits)"
        try await TestServer.runOnThread { server in
            let client = try TestWebSocketClient(port: server.port, extraHeaders: [("Sec-WebSocket-Extensions", offer)])
            let ext = try #require(client.response.header("Sec-WebSocket-Extensions"))
            #expect(ext.contains("client_max_window_bits=\(clientBits)"), "\(ext)")
            #expect(ext.contains("server_max_window_bits=\(serverBits)"), "\(ext)")
            let blocks = Self.payload(.binary, count: 32 * 2048)
            var message: [UInt8] = []
            for i in 0..<32 {
                let block = blocks[(i * 2048)..<((i + 1) * 2048)]
                message += block + block
            }
            let deflater = Deflater(windowBits: clientBits)
            let inflater = Inflater(windowBits: serverBits)
            for _ in 0..<2 {
                try client.send(.binary, deflater.compressMessage(message, noContextTakeover: false), rsv1: true)
                let echo = try client.readMessage()
                #expect(echo.rsv1)
                #expect(try inflater.inflateMessage(echo.payload, limit: 1 << 20, noContextTakeover: true) == message)
            }
        }
    }

    /// A compressed message may also arrive fragmented: RSV1 on the first frame only (RFC 7692 §6.1).
    @Test func fragmentedCompressedMessage() async throws {
        try await TestServer.runOnThread { server in
            let client = try TestWebSocketClient(port: server.port, extraHeaders: Self.deflateOffer)
            try #require(client.deflateNegotiated)
            let message = Array(String(repeating: "fragmented and compressed ", count: 100).utf8)
            let compressed = Deflater(windowBits: 15).compressMessage(message, noContextTakeover: true)
            let cut = compressed.count / 2
            try client.send(.text, Array(compressed[..<cut]), fin: false, rsv1: true)
            try client.send(.continuation, Array(compressed[cut...]), fin: true)
            let echo = try client.readMessage()
            #expect(echo.rsv1)
            #expect(try Inflater(windowBits: 15).inflateMessage(echo.payload, limit: 1 << 20, noContextTakeover: true) == message)
        }
    }

    /// With deflate negotiated, an uncompressed message is still fine (RFC 7692 §6.1); the echo
    /// comes back compressed (`/echo` compresses every echo).
    @Test func uncompressedMessageUnderDeflate() async throws {
        try await TestServer.runOnThread { server in
            let client = try TestWebSocketClient(port: server.port, extraHeaders: Self.deflateOffer)
            try #require(client.deflateNegotiated)
            try client.sendText("plain")
            let echo = try client.readFrame()
            #expect(echo.rsv1)
            #expect(try Inflater(windowBits: 15).inflateMessage(echo.payload, limit: 1 << 20, noContextTakeover: true) == Array("plain".utf8))
        }
    }
}
