import COpenSSL

/// The few OpenSSL primitives identity needs: a CSPRNG, SHA-256, HMAC-SHA256, constant-time compare.
///
/// Thin wrappers so no other file touches `COpenSSL` pointers; each takes and returns byte arrays,
/// which is fine for token-sized inputs (tens of bytes) checked once per connection.
enum Crypto {
    /// `count` bytes from OpenSSL's CSPRNG (`RAND_bytes`), or nil if it cannot be seeded.
    ///
    /// Token secrets must be unguessable, so a failing generator is an error, never a fallback.
    static func randomBytes(_ count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        let ok = bytes.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32($0.count)) }
        return ok == 1 ? bytes : nil
    }

    /// The 32-byte SHA-256 digest of `bytes` (FIPS 180-4).
    static func sha256<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> [UInt8] {
        let input = Array(bytes)
        var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        input.withUnsafeBufferPointer { inp in
            digest.withUnsafeMutableBufferPointer { out in
                _ = SHA256(inp.baseAddress, inp.count, out.baseAddress)
            }
        }
        return digest
    }

    /// The 32-byte HMAC-SHA256 of `message` under `key` (RFC 2104), as JWS HS256 uses it.
    static func hmacSHA256<Message: Collection<UInt8>>(key: [UInt8], message: Message) -> [UInt8] {
        let data = Array(message)
        var mac = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        // A zero-length key still needs a non-null pointer for OpenSSL.
        let keyStorage = key.isEmpty ? [0] : key
        keyStorage.withUnsafeBufferPointer { k in
            data.withUnsafeBufferPointer { d in
                mac.withUnsafeMutableBufferPointer { out in
                    _ = HMAC(EVP_sha256(), k.baseAddress, Int32(key.count), d.baseAddress, d.count,
                             out.baseAddress, &length)
                }
            }
        }
        return Array(mac[..<Int(length)])
    }

    /// Whether `a` and `b` are equal, in time that depends only on their lengths (`CRYPTO_memcmp`).
    ///
    /// Lengths are public (a MAC's size is fixed by its algorithm), so an early length check leaks
    /// nothing; the bytes themselves must not leak through timing, or MACs can be forged bytewise.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        if a.isEmpty { return true }
        return a.withUnsafeBytes { x in
            b.withUnsafeBytes { y in CRYPTO_memcmp(x.baseAddress, y.baseAddress, x.count) == 0 }
        }
    }
}
