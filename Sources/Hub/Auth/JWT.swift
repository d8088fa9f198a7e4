import Foundation

/// JSON Web Tokens signed with HS256 (RFC 7519 over JWS compact serialisation, RFC 7515).
///
/// Only HMAC-SHA256 with the hub's shared secret is accepted: the algorithm comes from the hub,
/// never from the token, so `alg: none` and public-key algorithms (the classic confusion attacks)
/// are refused before any signature work.
enum JWT {
    /// The header `sign` writes by default.
    static var standardHeader: [String: Any] { ["alg": "HS256", "typ": "JWT"] }

    /// Checks `token`'s signature and claims against `secret` at time `now`.
    /// - Parameters:
    ///   - token: `header.payload.signature`, each part unpadded base64url.
    ///   - secret: the HMAC key; an empty key never verifies anything.
    ///   - now: Unix seconds.
    ///   - leeway: seconds of clock skew allowed on `exp` and `nbf` (config; 30 by default).
    static func verify(_ token: String, secret: [UInt8], now: Int64, leeway: Int64 = 30) -> Result<JWTClaims, JWTError> {
        let parts = token.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty, !parts[2].isEmpty else {
            return .failure(.malformed("expected three base64url parts"))
        }
        guard let headerBytes = Base64URL.decode(Substring(parts[0])) else {
            return .failure(.malformed("header is not base64url"))
        }
        guard let header = (try? JSONSerialization.jsonObject(with: Data(headerBytes))) as? [String: Any] else {
            return .failure(.malformed("header is not a JSON object"))
        }
        guard let alg = header["alg"] as? String else {
            return .failure(.unsupportedAlgorithm(header["alg"] == nil ? "missing" : "of the wrong type"))
        }
        guard alg == "HS256" else { return .failure(.unsupportedAlgorithm(alg)) }
        if let typ = header["typ"] {
            guard let typ = typ as? String, typ.uppercased() == "JWT" else {
                return .failure(.malformed("header typ is not JWT"))
            }
        }
        // RFC 7515 §4.1.11: a critical extension we do not understand makes the token invalid.
        guard header["crit"] == nil else { return .failure(.malformed("crit header parameters are not supported")) }

        guard let signature = Base64URL.decode(Substring(parts[2])) else {
            return .failure(.malformed("signature is not base64url"))
        }
        guard !secret.isEmpty else { return .failure(.badSignature) }
        // The signing input is the first two parts exactly as received, dot included.
        let signingInput = token.utf8.prefix(parts[0].count + 1 + parts[1].count)
        let expected = Crypto.hmacSHA256(key: secret, message: signingInput)
        guard Crypto.constantTimeEqual(signature, expected) else { return .failure(.badSignature) }

        guard let payload = Base64URL.decode(Substring(parts[1])) else {
            return .failure(.malformed("payload is not base64url"))
        }
        let raw: RawClaims
        do {
            raw = try JSONDecoder().decode(RawClaims.self, from: Data(payload))
        } catch let DecodingError.typeMismatch(_, context) where !context.codingPath.isEmpty {
            return .failure(.malformed("claim \(context.codingPath[0].stringValue) has the wrong type"))
        } catch let DecodingError.valueNotFound(_, context) where context.codingPath.count > 1 {
            return .failure(.malformed("claim \(context.codingPath[0].stringValue) has the wrong type"))
        } catch {
            return .failure(.malformed("claims are not a JSON object"))
        }
        guard let sub = raw.sub else { return .failure(.missingClaim("sub")) }
        guard !sub.isEmpty else { return .failure(.malformed("claim sub is empty")) }
        guard let expValue = raw.exp else { return .failure(.missingClaim("exp")) }
        guard let exp = seconds(expValue) else { return .failure(.malformed("claim exp is out of range")) }
        var nbf: Int64?
        if let nbfValue = raw.nbf {
            guard let value = seconds(nbfValue) else { return .failure(.malformed("claim nbf is out of range")) }
            nbf = value
        }
        if let topics = raw.topics, let bad = topics.first(where: { !JWTClaims.isValidPattern($0) }) {
            return .failure(.malformed("topics pattern \"\(bad.prefix(40))\" is empty or has * before its end"))
        }

        // RFC 7519 §4.1.4: the token must not be accepted on or after `exp`.
        guard now < exp + leeway else { return .failure(.expired) }
        if let nbf, now < nbf - leeway { return .failure(.notYetValid) }
        return .success(JWTClaims(sub: sub, exp: exp, nbf: nbf, isAdmin: raw.admin ?? false, topics: raw.topics))
    }

    /// A signed HS256 token carrying `claims`, for tests and tooling.
    /// - Parameters:
    ///   - claims: any JSON-serialisable dictionary (`["sub": "bob", "exp": 1_900_000_000]`).
    ///   - header: defaults to `{"alg":"HS256","typ":"JWT"}`; tests pass others to forge tokens.
    /// - Throws: when `claims` or `header` cannot be written as JSON.
    static func sign(claims: [String: Any], secret: [UInt8], header: [String: Any] = standardHeader) throws -> String {
        let headerJSON = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        let claimsJSON = try JSONSerialization.data(withJSONObject: claims, options: [.sortedKeys])
        let signingInput = Base64URL.encode(headerJSON) + "." + Base64URL.encode(claimsJSON)
        let mac = Crypto.hmacSHA256(key: secret, message: Array(signingInput.utf8))
        return signingInput + "." + Base64URL.encode(mac)
    }

    /// Whole Unix seconds from a JSON NumericDate (which may have a fraction), if plausible.
    private static func seconds(_ value: Double) -> Int64? {
        // About ±31 million years: far beyond any real date, far within Int64 with leeway added.
        guard value.isFinite, abs(value) < 1e15 else { return nil }
        return Int64(value.rounded(.down))
    }

    /// The registered and hub claims as they arrive, before the rules above are applied.
    private struct RawClaims: Decodable {
        let sub: String?
        let exp: Double?
        let nbf: Double?
        let admin: Bool?
        let topics: [String]?
    }
}
