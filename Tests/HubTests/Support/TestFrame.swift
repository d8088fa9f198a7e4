import WSProtocol

/// One frame as the server sent it (unmasked), for assertions.
struct TestFrame: Equatable, CustomStringConvertible {
    var opcode: WebSocketOpcode
    var fin: Bool
    var rsv1: Bool
    var payload: [UInt8]

    /// The close code of a close frame's payload, or nil when it has none.
    var closeCode: UInt16? {
        guard opcode == .close, payload.count >= 2 else { return nil }
        return UInt16(payload[0]) << 8 | UInt16(payload[1])
    }

    /// The close reason of a close frame, as text.
    var closeReason: String {
        guard opcode == .close, payload.count > 2 else { return "" }
        return String(decoding: payload[2...], as: UTF8.self)
    }

    var description: String {
        "TestFrame(\(opcode), fin: \(fin), rsv1: \(rsv1), \(payload.count) bytes\(opcode == .close ? ", code \(closeCode.map(String.init) ?? "none") \"\(closeReason)\"" : ""))"
    }
}
