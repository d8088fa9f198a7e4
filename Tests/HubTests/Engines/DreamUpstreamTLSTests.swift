import Engines
import Foundation
import Testing
@testable import Hub

/// The upstream client over TLS, against the fake server with a self-signed certificate for
/// 127.0.0.1 (valid until 2126, made with `openssl req -x509 -newkey ec …
/// -addext subjectAltName=IP:127.0.0.1,DNS:localhost`): trusted through `dream_upstream_ca` it
/// streams; with only the system's CA store the handshake is refused and the chain writes.
@Suite struct DreamUpstreamTLSTests {
    static let certificate = """
        -----BEGIN CERTIFICATE-----
        MIIBtjCCAV2gAwIBAgIUIDDqzKj7gdtFqnEu19lIchLjl1cwCgYIKoZIzj0EAwIw
        IjEgMB4GA1UEAwwXaHViIGRyZWFtIHRlc3QgdXBzdHJlYW0wIBcNMjYxMjA0MTQ0
        MjExWhgPMjEyNjExMTAxNDQyMTFaMCIxIDAeBgNVBAMMF2h1YiBkcmVhbSB0ZXN0
        IHVwc3RyZWFtMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEMJbW6nVN0Wv+eGkc
        ZkSoCbKXktJNrvH2/hQKdy7vxNvZy2vpvKu9yKUYnonwIr5t82o0WcYnjJgvO26p
        32ZHw6NvMG0wHQYDVR0OBBYEFJkXVQoLmOxSYg9HSandt/onH8kFMB8GA1UdIwQY
        MBaAFJkXVQoLmOxSYg9HSandt/onH8kFMA8GA1UdEwEB/wQFMAMBAf8wGgYDVR0R
        BBMwEYcEfwAAAYIJbG9jYWxob3N0MAoGCCqGSM49BAMCA0cAMEQCIBX3kRWyYIjO
        DrDKYM5O8PGDpNSixMG7z6abdDvJXqZrAiAMsG5u4OQnXjKfSGwmFJYVSOnv3ARF
        GWMgA9C8G65Ixw==
        -----END CERTIFICATE-----

        """
    /// The test certificate's key: it protects nothing but this test.
    static let key = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg5t3l5WJsSHP29cVH
        c+pGVTeBGF6kjn91Rx26DqZl3CqhRANCAAQwltbqdU3Ra/54aRxmRKgJspeS0k2u
        8fb+FAp3Lu/E29nLa+m8q73IpRieifAivm3zajRZxieMmC87bqnfZkfD
        -----END PRIVATE KEY-----

        """

    /// A TLS fake upstream and the CA file that trusts it.
    static func server(_ dir: TestDirectory) throws -> (DreamFakeUpstream, caFile: String) {
        let cert = dir.file("cert.pem"), key = dir.file("key.pem")
        try certificate.write(toFile: cert, atomically: true, encoding: .utf8)
        try Self.key.write(toFile: key, atomically: true, encoding: .utf8)
        return (try DreamFakeUpstream(tls: try DreamFakeUpstream.TLS(certFile: cert, keyFile: key)), cert)
    }

    @Test func aTrustedServerStreamsOverTLS() async throws {
        let dir = TestDirectory()
        let (fake, ca) = try Self.server(dir)
        defer { fake.stop() }
        fake.set(.stream(["Secure", " hello", "."], gapMs: 2))
        var d = DreamHub.config()
        d.upstreamURL = try UpstreamURL(fake.url)
        d.upstreamCAFile = ca
        d.upstreamKey = "sk-tls"
        d.upstreamTimeout = 2
        try await DreamHub.run(d) { hub in
            let (alice, _) = try AuthClient.welcomed(port: hub.port, token: try hub.createToken(user: "alice"))
            let r = try alice.startDream(#"{"prompt":"hi","max_tokens":10,"pace_ms":1}"#, id: 1)
            #expect(r["generator"] as? String == "upstream", "\(r)")
            let w = try alice.watch(try #require(r["topic"] as? String), id: 2)
            #expect(w.texts == ["Secure", " hello", "."])
            #expect(w.done["generator"] as? String == "upstream")
            let request = try #require(fake.requests.last)
            #expect(request.contains("Authorization: Bearer sk-tls\r\n") && request.contains("Host: 127.0.0.1:\(fake.port)\r\n"))
            #expect(fake.handshakeFailures == 0)
        }
    }

    @Test func anUntrustedCertificateIsRefusedAndTheChainWrites() async throws {
        let dir = TestDirectory()
        let (fake, _) = try Self.server(dir)
        defer { fake.stop() }
        fake.set(.stream(["never"], gapMs: 0))
        var d = DreamHub.config()
        d.upstreamURL = try UpstreamURL(fake.url)  // no CA file: the system store, which does not know it
        d.upstreamTimeout = 2
        try await DreamHub.run(d) { hub in
            let (alice, _) = try AuthClient.welcomed(port: hub.port, token: try hub.createToken(user: "alice"))
            let r = try alice.startDream(#"{"max_tokens":4,"pace_ms":1}"#, id: 1)
            #expect(r["generator"] as? String == "markov")
            #expect((r["fallback"] as? String)?.contains("certificate verify failed") == true, "\(r)")
            let w = try alice.watch(try #require(r["topic"] as? String), id: 2)
            #expect(w.indexes == Array(0..<4))
            #expect(fake.requests.isEmpty)
        }
    }
}
