import Testing
@testable import WSProtocol

@Test func utf8AcceptsWhatSwiftAccepts() {
    var rng = SeededRandom(seed: 3629)
    for _ in 0..<5000 {
        let count = Int.random(in: 0...40, using: &rng)
        // Bias toward bytes that form sequences.
        let bytes = (0..<count).map { _ -> UInt8 in
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: return UInt8.random(in: 0...0x7F, using: &rng)
            case 1: return UInt8.random(in: 0x80...0xBF, using: &rng)
            default: return UInt8.random(in: 0xC0...0xFF, using: &rng)
            }
        }
        let reference = String(validating: bytes, as: UTF8.self) != nil
        #expect(UTF8Validator.isValid(bytes) == reference, "\(bytes)")
        // Split anywhere: the same verdict.
        if count > 1 {
            let cut = Int.random(in: 1..<count, using: &rng)
            var v = UTF8Validator()
            let ok = v.validate(Array(bytes[..<cut])) && v.validate(Array(bytes[cut...])) && v.isComplete
            #expect(ok == reference)
        }
    }
}

@Test func utf8BoundaryCases() {
    let valid: [[UInt8]] = [
        [], [0x7F], [0xC2, 0x80], [0xDF, 0xBF], [0xE0, 0xA0, 0x80], [0xED, 0x9F, 0xBF], [0xEF, 0xBF, 0xBF],
        [0xF0, 0x90, 0x80, 0x80], [0xF4, 0x8F, 0xBF, 0xBF], Array("κόσμε".utf8), [UInt8](repeating: 0x41, count: 100),
    ]
    let invalid: [[UInt8]] = [
        [0x80], [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x9F, 0xBF], [0xED, 0xA0, 0x80], [0xF0, 0x8F, 0xBF, 0xBF],
        [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xFE], [0xFF], [0xE2, 0x82],
        [UInt8](repeating: 0x41, count: 37) + [0xFF],
    ]
    for v in valid { #expect(UTF8Validator.isValid(v), "\(v)") }
    for v in invalid { #expect(!UTF8Validator.isValid(v), "\(v)") }
}

@Test func maskingIsChunkableAndMatchesBytewise() {
    var rng = SeededRandom(seed: 5)
    let key: (UInt8, UInt8, UInt8, UInt8) = (0x37, 0xfa, 0x21, 0x3d)
    for size in [0, 1, 3, 7, 8, 9, 31, 32, 33, 100, 1000] {
        let data = (0..<size).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let k = [key.0, key.1, key.2, key.3]
        let reference = data.enumerated().map { $0.element ^ k[$0.offset & 3] }
        var whole = data
        WebSocketMasking.apply(&whole, key: key)
        #expect(whole == reference)
        // In two chunks, the second at its payload offset.
        if size > 1 {
            let cut = Int.random(in: 1..<size, using: &rng)
            var parts = data
            parts.withUnsafeMutableBytes { raw in
                WebSocketMasking.apply(UnsafeMutableRawBufferPointer(rebasing: raw[..<cut]), key: key, offset: 0)
                WebSocketMasking.apply(UnsafeMutableRawBufferPointer(rebasing: raw[cut...]), key: key, offset: cut)
            }
            #expect(parts == reference)
        }
    }
}
