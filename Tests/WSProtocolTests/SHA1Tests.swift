import Testing
@testable import WSProtocol

private func hex(_ bytes: [UInt8]) -> String {
    bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
}

// FIPS 180-2 Appendix A and the NIST example vectors.
@Test(arguments: [
    ("", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
    ("abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
    ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1"),
    ("The quick brown fox jumps over the lazy dog", "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12"),
])
func sha1Vectors(input: String, digest: String) {
    #expect(hex(SHA1.hash(Array(input.utf8))) == digest)
}

@Test func sha1MillionA() {
    #expect(hex(SHA1.hash([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)))
        == "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
}

// Lengths around the 55/56/64-byte padding boundaries must all work (one or two tail blocks).
@Test(arguments: [55, 56, 57, 63, 64, 65, 119, 120, 128])
func sha1PaddingBoundaries(length: Int) {
    let digest = SHA1.hash([UInt8](repeating: 0x61, count: length))
    #expect(digest.count == 20)
    #expect(digest != SHA1.hash([UInt8](repeating: 0x61, count: length + 1)))
}
