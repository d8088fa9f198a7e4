import Testing
@testable import WSProtocol

@Test(arguments: [UInt8](0...15))
func reservedOpcodes(raw: UInt8) {
    let op = WebSocketOpcode(raw)
    let known: Set<UInt8> = [0, 1, 2, 8, 9, 10]
    #expect(op.isReserved == !known.contains(raw))
    #expect(op.isControl == (raw >= 8))
}

@Test func closeCodeRoundTrip() {
    for c in [UInt16(1000), 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 4401, 4408, 3000, 4999] {
        #expect(WebSocketCloseCode(code: c).code == c)
    }
    #expect(WebSocketCloseCode.isValidOnWire(1000))
    #expect(!WebSocketCloseCode.isValidOnWire(1005))
    #expect(!WebSocketCloseCode.isValidOnWire(999))
    #expect(!WebSocketCloseCode.isValidOnWire(1015))
    #expect(!WebSocketCloseCode.isValidOnWire(5000))
}
