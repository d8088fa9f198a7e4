import Testing
@testable import WSProtocol

// RFC 4648 §10.
@Test(arguments: [
    ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"),
    ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy"),
])
func base64Vectors(plain: String, encoded: String) {
    #expect(Base64.encode(Array(plain.utf8)) == encoded)
    #expect(Base64.decode(encoded) == Array(plain.utf8))
}

@Test func base64AllBytesRoundTrip() {
    let bytes = (0...255).map { UInt8($0) }
    for n in 0...bytes.count {
        let slice = Array(bytes[..<n])
        #expect(Base64.decode(Base64.encode(slice)) == slice)
    }
    #expect(Base64.encode([0xFB, 0xFF]) == "+/8=")
}

@Test(arguments: [
    "Zg", "Zg=", "Zm9", "Z===", "====", "Zg==Zg==", "Zm=v", "Zm9v ", " Zm9v", "Zm9v\n",
    "Zm-v", "Zm_v", "Zh==", "Zm9=", "Zm8=\0", "Zm9vYg=", "é===",
])
func base64RejectsNonCanonical(text: String) {
    #expect(Base64.decode(text) == nil)
}
