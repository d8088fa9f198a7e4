/// Server-side negotiation of permessage-deflate (RFC 7692 §5, §7.1) from the client's
/// `Sec-WebSocket-Extensions` offers.
public enum PerMessageDeflateNegotiation {
    /// The parameters of the first acceptable `permessage-deflate` offer, or nil to run without
    /// compression.
    ///
    /// `headerValues` are all `Sec-WebSocket-Extensions` values in order (RFC 6455 §9.1 grammar:
    /// comma-separated extensions, `;`-separated parameters, `name`, `name=token` or
    /// `name="quoted"`). Offers are tried in the client's order of preference (RFC 7692 §5); one is
    /// declined, and the next tried, when it is malformed, has an unknown or duplicated parameter,
    /// or a parameter with an invalid value (RFC 7692 §7.1). The answer always includes
    /// `server_no_context_takeover` (§7.1.1.1), so a frame compressed once fits every subscriber.
    public static func negotiate(offers headerValues: [String], config: PerMessageDeflateConfig) -> PerMessageDeflateParameters? {
        guard config.enabled else { return nil }
        for value in headerValues {
            for element in splitOutsideQuotes(Array(value.utf8)[...], on: ASCII.comma) {
                guard let (name, params) = parseExtension(element),
                      ASCII.equalsIgnoringCase(name, "permessage-deflate")
                else { continue }
                if let accepted = accept(params, config: config) { return accepted }
            }
        }
        return nil
    }

    private static func accept(_ params: [(name: String, value: String?)], config: PerMessageDeflateConfig) -> PerMessageDeflateParameters? {
        let serverLimit = min(max(config.serverMaxWindowBits, 8), 15)
        let clientLimit = config.clientMaxWindowBits.map { min(max($0, 8), 15) }
        var seen: Set<String> = []
        var clientNoContextTakeover = false
        var serverBits: Int?
        var clientBitsOffered = false
        var clientBits: Int?
        for (rawName, value) in params {
            let name = ASCII.lowercased(rawName)
            guard seen.insert(name).inserted else { return nil }  // §7.1: duplicates decline
            switch name {
            case "server_no_context_takeover":
                guard value == nil else { return nil }
            case "client_no_context_takeover":
                guard value == nil else { return nil }
                clientNoContextTakeover = true
            case "server_max_window_bits":
                guard let value, let n = ASCII.plainDecimal(value[...]), (8...15).contains(n) else { return nil }
                serverBits = n
            case "client_max_window_bits":
                clientBitsOffered = true
                if let value {
                    guard let n = ASCII.plainDecimal(value[...]), (8...15).contains(n) else { return nil }
                    clientBits = n
                }
            default:
                return nil
            }
        }
        let effectiveClient: Int?
        if let clientBits {
            effectiveClient = min(clientBits, clientLimit ?? 15)
        } else if clientBitsOffered, let clientLimit {
            effectiveClient = clientLimit
        } else {
            effectiveClient = nil
        }
        return PerMessageDeflateParameters(
            serverNoContextTakeover: true,
            clientNoContextTakeover: clientNoContextTakeover,
            serverMaxWindowBits: min(serverBits ?? 15, serverLimit),
            clientMaxWindowBits: effectiveClient ?? 15,
            announcesServerMaxWindowBits: serverBits != nil,
            announcesClientMaxWindowBits: effectiveClient != nil
        )
    }

    /// Parses `token *( OWS ";" OWS token [ "=" ( token / quoted-string ) ] )`; nil when malformed.
    /// Quoted values are unescaped and must then be tokens (RFC 6455 §9.1).
    private static func parseExtension(_ bytes: ArraySlice<UInt8>) -> (String, [(name: String, value: String?)])? {
        let parts = splitOutsideQuotes(bytes, on: ASCII.semicolon)
        guard let first = parts.first, isToken(first) else { return nil }
        var params: [(name: String, value: String?)] = []
        for part in parts.dropFirst() {
            guard let eq = part.firstIndex(of: ASCII.equals) else {
                guard isToken(part) else { return nil }
                params.append((string(part), nil))
                continue
            }
            let name = ASCII.trimmingOWS(part[..<eq])
            var value = ASCII.trimmingOWS(part[(eq + 1)...])
            guard isToken(name) else { return nil }
            if value.first == ASCII.quote {
                guard let unquoted = unquote(value) else { return nil }
                value = unquoted[...]
            }
            guard isToken(value) else { return nil }
            params.append((string(name), string(value)))
        }
        return (string(first), params)
    }

    /// Splits on `separator` outside quoted strings; elements are OWS-trimmed and, as in HTTP lists
    /// (RFC 9110 §5.6.1), empty ones dropped. An unterminated quote keeps the rest as one element,
    /// which then fails to parse.
    private static func splitOutsideQuotes(_ bytes: ArraySlice<UInt8>, on separator: UInt8) -> [ArraySlice<UInt8>] {
        var out: [ArraySlice<UInt8>] = []
        var start = bytes.startIndex
        var inQuotes = false
        var escaped = false
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let b = bytes[i]
            if escaped {
                escaped = false
            } else if inQuotes {
                if b == ASCII.backslash { escaped = true } else if b == ASCII.quote { inQuotes = false }
            } else if b == ASCII.quote {
                inQuotes = true
            } else if b == separator {
                let e = ASCII.trimmingOWS(bytes[start..<i])
                if !e.isEmpty || separator == ASCII.semicolon { out.append(e) }
                start = i + 1
            }
            i += 1
        }
        let e = ASCII.trimmingOWS(bytes[start..<bytes.endIndex])
        if !e.isEmpty || separator == ASCII.semicolon { out.append(e) }
        return out
    }

    /// The content of a quoted-string (RFC 9110 §5.6.4) with escapes removed; nil when malformed.
    private static func unquote(_ bytes: ArraySlice<UInt8>) -> [UInt8]? {
        guard bytes.count >= 2, bytes.first == ASCII.quote, bytes.last == ASCII.quote else { return nil }
        var out: [UInt8] = []
        var escaped = false
        for b in bytes.dropFirst().dropLast() {
            if escaped { out.append(b); escaped = false }
            else if b == ASCII.backslash { escaped = true }
            else if b == ASCII.quote { return nil }
            else { out.append(b) }
        }
        return escaped ? nil : out
    }

    private static func isToken(_ bytes: ArraySlice<UInt8>) -> Bool {
        !bytes.isEmpty && bytes.allSatisfy(ASCII.isTokenChar)
    }

    private static func string(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }
}
