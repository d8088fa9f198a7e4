import Foundation
import Testing
@testable import Hub

/// HS256 JWT verification: signature, algorithm, claims and clock rules.
@Suite struct JWTTests {
    static let secret = Array("a-very-secret-hub-key-of-some-length".utf8)
    static let now: Int64 = 1_800_000_000

    func token(_ claims: [String: Any], header: [String: Any] = JWT.standardHeader, secret: [UInt8] = secret) throws -> String {
        try JWT.sign(claims: claims, secret: secret, header: header)
    }

    /// A token whose parts are these raw JSON texts, signed correctly over them.
    func rawToken(header: String, payload: String) -> String {
        let input = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(payload.utf8))
        return input + "." + Base64URL.encode(Crypto.hmacSHA256(key: Self.secret, message: Array(input.utf8)))
    }

    func verify(_ token: String, now: Int64 = now) -> Result<JWTClaims, JWTError> {
        JWT.verify(token, secret: Self.secret, now: now)
    }

    @Test func validTokenGivesItsClaims() throws {
        let jwt = try token(["sub": "bob", "exp": Self.now + 60, "iat": Self.now, "extra": ["ignored": true]])
        #expect(verify(jwt) == .success(JWTClaims(sub: "bob", exp: Self.now + 60, nbf: nil, isAdmin: false, topics: nil)))
        guard case .success(let claims) = verify(jwt) else { return }
        #expect(claims.allows(topic: "anything.at.all"))
    }

    /// RFC 7515 appendix A.1's key and its HS256 signing input check our HMAC against the spec.
    @Test func rfc7515AppendixA1Signature() {
        let key = Base64URL.decode(
            "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow")!
        let input = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
        let signature = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        #expect(Base64URL.encode(Crypto.hmacSHA256(key: key, message: Array(input.utf8))) == signature)
        // That token has no sub: the signature passes, then the claim check refuses it.
        #expect(JWT.verify(input + "." + signature, secret: key, now: 1_300_819_000) == .failure(.missingClaim("sub")))
    }

    @Test func expiredOutsideTheLeeway() throws {
        let jwt = try token(["sub": "bob", "exp": Self.now - 31])
        #expect(verify(jwt) == .failure(.expired))
        #expect(JWT.verify(jwt, secret: Self.secret, now: Self.now, leeway: 0) == .failure(.expired))
    }

    @Test func withinTheLeeway() throws {
        let jwt = try token(["sub": "bob", "exp": Self.now - 29])
        guard case .success(let claims) = verify(jwt) else {
            Issue.record("refused within the leeway: \(verify(jwt))")
            return
        }
        #expect(claims.exp == Self.now - 29)
        // The boundary: exp + leeway == now is already too late (RFC 7519 §4.1.4 "on or after").
        #expect(verify(try token(["sub": "bob", "exp": Self.now - 30])) == .failure(.expired))
        #expect(JWT.verify(jwt, secret: Self.secret, now: Self.now, leeway: 0) == .failure(.expired))
    }

    @Test func notBeforeIsHonouredWithLeeway() throws {
        let future = try token(["sub": "bob", "exp": Self.now + 3600, "nbf": Self.now + 31])
        #expect(verify(future) == .failure(.notYetValid))
        let skewed = try token(["sub": "bob", "exp": Self.now + 3600, "nbf": Self.now + 30])
        guard case .success(let claims) = verify(skewed) else {
            Issue.record("refused within the nbf leeway")
            return
        }
        #expect(claims.nbf == Self.now + 30)
        #expect(JWT.verify(skewed, secret: Self.secret, now: Self.now, leeway: 0) == .failure(.notYetValid))
        #expect(verify(future, now: Self.now + 1) != .failure(.notYetValid))
    }

    @Test func fractionalTimesAreAccepted() throws {
        let jwt = try token(["sub": "bob", "exp": Double(Self.now) + 60.75])
        guard case .success(let claims) = verify(jwt) else {
            Issue.record("refused a fractional exp")
            return
        }
        #expect(claims.exp == Self.now + 60)
    }

    @Test func badSignatureIsRefused() throws {
        let claims: [String: Any] = ["sub": "bob", "exp": Self.now + 60]
        #expect(verify(try token(claims, secret: Array("another key".utf8))) == .failure(.badSignature))
        let jwt = try token(claims)
        let parts = jwt.split(separator: ".")
        // A changed payload under the old signature.
        let forged = parts[0] + "." + Base64URL.encode(Array(#"{"sub":"admin","exp":1900000000,"admin":true}"#.utf8))
            + "." + parts[2]
        #expect(verify(String(forged)) == .failure(.badSignature))
        // A truncated or extended signature.
        let mac = Base64URL.decode(parts[2])!
        #expect(verify(parts[0] + "." + parts[1] + "." + Base64URL.encode(mac.dropLast())) == .failure(.badSignature))
        #expect(verify(parts[0] + "." + parts[1] + "." + Base64URL.encode(mac + [0])) == .failure(.badSignature))
        // One flipped bit.
        var flipped = mac
        flipped[31] ^= 1
        #expect(verify(parts[0] + "." + parts[1] + "." + Base64URL.encode(flipped)) == .failure(.badSignature))
        // An empty secret verifies nothing, not even a token signed with it.
        #expect(JWT.verify(try token(claims, secret: []), secret: [], now: Self.now) == .failure(.badSignature))
    }

    @Test(arguments: ["none", "RS256", "HS384", "ES256", "hs256", "HS256 "])
    func otherAlgorithmsAreRefused(alg: String) throws {
        let jwt = try token(["sub": "bob", "exp": Self.now + 60], header: ["alg": alg, "typ": "JWT"])
        #expect(verify(jwt) == .failure(.unsupportedAlgorithm(alg)))
    }

    @Test func unsignedAlgNoneTokenIsRefused() {
        // The classic attack: alg none and an empty signature.
        let header = Base64URL.encode(Array(#"{"alg":"none","typ":"JWT"}"#.utf8))
        let payload = Base64URL.encode(Array(#"{"sub":"bob","exp":1900000000,"admin":true}"#.utf8))
        #expect(verify(header + "." + payload + ".") == .failure(.malformed("expected three base64url parts")))
        #expect(verify(header + "." + payload + ".AAAA") == .failure(.unsupportedAlgorithm("none")))
    }

    @Test func headerRules() {
        let payload = #"{"sub":"bob","exp":1900000000}"#
        #expect(verify(rawToken(header: #"{"typ":"JWT"}"#, payload: payload)) == .failure(.unsupportedAlgorithm("missing")))
        #expect(verify(rawToken(header: #"{"alg":256}"#, payload: payload)) == .failure(.unsupportedAlgorithm("of the wrong type")))
        #expect(verify(rawToken(header: #"{"alg":"HS256","typ":"JOSE+JSON"}"#, payload: payload))
            == .failure(.malformed("header typ is not JWT")))
        #expect(verify(rawToken(header: #"{"alg":"HS256","crit":["exp"]}"#, payload: payload))
            == .failure(.malformed("crit header parameters are not supported")))
        // typ is optional, and its case does not matter (RFC 7515 §4.1.9).
        #expect((try? verify(rawToken(header: #"{"alg":"HS256"}"#, payload: payload)).get()) != nil)
        #expect((try? verify(rawToken(header: #"{"alg":"HS256","typ":"jwt"}"#, payload: payload)).get()) != nil)
    }

    @Test func missingClaimsAreNamed() throws {
        #expect(verify(try token(["exp": Self.now + 60])) == .failure(.missingClaim("sub")))
        #expect(verify(try token(["sub": "bob"])) == .failure(.missingClaim("exp")))
        #expect(verify(try token(["sub": "bob", "exp": NSNull()])) == .failure(.missingClaim("exp")))
        #expect(verify(try token(["sub": "", "exp": Self.now + 60])) == .failure(.malformed("claim sub is empty")))
    }

    @Test func wronglyTypedClaimsAreMalformed() throws {
        let cases: [(String, [String: Any])] = [
            ("sub", ["sub": 42, "exp": Self.now + 60]),
            ("exp", ["sub": "bob", "exp": "\(Self.now + 60)"]),
            ("exp", ["sub": "bob", "exp": true]),
            ("nbf", ["sub": "bob", "exp": Self.now + 60, "nbf": "soon"]),
            ("admin", ["sub": "bob", "exp": Self.now + 60, "admin": "true"]),
            ("admin", ["sub": "bob", "exp": Self.now + 60, "admin": 1]),
            ("topics", ["sub": "bob", "exp": Self.now + 60, "topics": "chat.*"]),
            ("topics", ["sub": "bob", "exp": Self.now + 60, "topics": ["chat.*", 7]]),
        ]
        for (claim, claims) in cases {
            #expect(verify(try token(claims)) == .failure(.malformed("claim \(claim) has the wrong type")), "\(claims)")
        }
        #expect(verify(try token(["sub": "bob", "exp": 1e300])) == .failure(.malformed("claim exp is out of range")))
    }

    @Test func malformedTokens() {
        let good = rawToken(header: #"{"alg":"HS256","typ":"JWT"}"#, payload: #"{"sub":"bob","exp":1900000000}"#)
        let parts = good.split(separator: ".").map(String.init)
        let cases: [(String, String)] = [
            ("", "expected three base64url parts"),
            ("abc", "expected three base64url parts"),
            (parts[0] + "." + parts[1], "expected three base64url parts"),
            (good + ".x", "expected three base64url parts"),
            ("." + parts[1] + "." + parts[2], "expected three base64url parts"),
            (parts[0] + "=." + parts[1] + "." + parts[2], "header is not base64url"),
            ("e+J." + parts[1] + "." + parts[2], "header is not base64url"),
            ("eyJAA" + "." + parts[1] + "." + parts[2], "header is not base64url"),
            (Base64URL.encode(Array("not json".utf8)) + "." + parts[1] + "." + parts[2], "header is not a JSON object"),
            (Base64URL.encode(Array("[1,2]".utf8)) + "." + parts[1] + "." + parts[2], "header is not a JSON object"),
            (parts[0] + "." + parts[1] + "." + parts[2] + "=", "signature is not base64url"),
            (parts[0] + "." + parts[1] + "." + parts[2].dropLast() + "*", "signature is not base64url"),
        ]
        for (jwt, detail) in cases {
            #expect(verify(jwt) == .failure(.malformed(detail)), "\(jwt)")
        }
        // Payloads that are signed correctly but are not JSON objects or not base64url.
        #expect(verify(rawToken(header: #"{"alg":"HS256"}"#, payload: "not json"))
            == .failure(.malformed("claims are not a JSON object")))
        #expect(verify(rawToken(header: #"{"alg":"HS256"}"#, payload: #"["sub","bob"]"#))
            == .failure(.malformed("claims are not a JSON object")))
        let badPayload = parts[0] + ".e$J"
        let mac = Crypto.hmacSHA256(key: Self.secret, message: Array(badPayload.utf8))
        #expect(verify(badPayload + "." + Base64URL.encode(mac)) == .failure(.malformed("payload is not base64url")))
    }

    @Test func adminClaim() throws {
        let admin = try token(["sub": "root", "exp": Self.now + 60, "admin": true])
        #expect((try? verify(admin).get())?.isAdmin == true)
        let notAdmin = try token(["sub": "bob", "exp": Self.now + 60, "admin": false])
        #expect((try? verify(notAdmin).get())?.isAdmin == false)
    }

    @Test func topicsClaimRestrictsTopics() throws {
        let jwt = try token(["sub": "bob", "exp": Self.now + 60, "topics": ["chat.*", "news", "user.bob"]])
        let claims = try verify(jwt).get()
        #expect(claims.topics == ["chat.*", "news", "user.bob"])
        for allowed in ["chat.room", "chat.a.b", "chat.", "news", "user.bob"] {
            #expect(claims.allows(topic: allowed), "\(allowed)")
        }
        for refused in ["chat", "chatter", "news.sport", "newsx", "user.bobby", "user.alice", ""] {
            #expect(!claims.allows(topic: refused), "\(refused)")
        }
        let everything = try verify(try token(["sub": "bob", "exp": Self.now + 60, "topics": ["*"]])).get()
        #expect(everything.allows(topic: "anything"))
        let nothing = try verify(try token(["sub": "bob", "exp": Self.now + 60, "topics": [String]()])).get()
        #expect(nothing.topics == [] && !nothing.allows(topic: "chat.room"))
    }

    @Test(arguments: ["", "chat.*.x", "*chat", "a*b"])
    func badTopicPatternsAreRefused(pattern: String) throws {
        let jwt = try token(["sub": "bob", "exp": Self.now + 60, "topics": ["ok", pattern]])
        guard case .failure(.malformed(let detail)) = verify(jwt) else {
            Issue.record("accepted the pattern \"\(pattern)\"")
            return
        }
        #expect(detail.contains("topics pattern"))
    }

    @Test func reasonsAreShortAndHuman() {
        let errors: [JWTError] = [
            .malformed("header is not base64url"), .unsupportedAlgorithm("none"), .badSignature, .expired,
            .notYetValid, .missingClaim("sub"), .malformed(String(repeating: "x", count: 500)),
        ]
        for error in errors {
            #expect(!error.reason.isEmpty && error.reason.utf8.count <= 123, "\(error.reason)")
        }
        #expect(JWTError.expired.reason == "token expired")
        #expect(JWTError.unsupportedAlgorithm("none").reason == "unsupported token algorithm none (only HS256)")
        #expect(JWTError.missingClaim("exp").description == "token lacks the exp claim")
    }
}
