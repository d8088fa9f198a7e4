import Testing
@testable import WSProtocol

private let base = "permessage-deflate; server_no_context_takeover"

struct DeflateCase: Sendable, CustomTestStringConvertible {
    let offers: [String]
    var config = PerMessageDeflateConfig()
    /// The expected response header value, or nil when every offer is declined.
    let response: String?
    var testDescription: String { offers.joined(separator: " | ") }

    init(_ offers: [String], _ response: String?, config: PerMessageDeflateConfig = PerMessageDeflateConfig()) {
        self.offers = offers
        self.response = response
        self.config = config
    }
}

let acceptedOffers: [DeflateCase] = [
    DeflateCase(["permessage-deflate"], base),
    DeflateCase(["permessage-deflate; server_no_context_takeover"], base),
    DeflateCase(["permessage-deflate; client_no_context_takeover"], base + "; client_no_context_takeover"),
    // Autobahn-style offers.
    DeflateCase(["permessage-deflate; client_max_window_bits"], base),
    DeflateCase(["permessage-deflate; client_max_window_bits"], base + "; client_max_window_bits=10",
                config: PerMessageDeflateConfig(clientMaxWindowBits: 10)),
    DeflateCase(["permessage-deflate; client_no_context_takeover; client_max_window_bits"],
                base + "; client_no_context_takeover"),
    DeflateCase(["permessage-deflate; server_max_window_bits=8; client_max_window_bits"],
                base + "; server_max_window_bits=8"),
    // server_max_window_bits is echoed with the effective (same or smaller) value, §7.1.2.1.
    DeflateCase(["permessage-deflate; server_max_window_bits=10"], base + "; server_max_window_bits=10"),
    DeflateCase(["permessage-deflate; server_max_window_bits=15"], base + "; server_max_window_bits=15"),
    DeflateCase(["permessage-deflate; server_max_window_bits=12"], base + "; server_max_window_bits=9",
                config: PerMessageDeflateConfig(serverMaxWindowBits: 9)),
    // client_max_window_bits=N: answered with min(N, configured limit), §7.1.2.2.
    DeflateCase(["permessage-deflate; client_max_window_bits=12"], base + "; client_max_window_bits=12"),
    DeflateCase(["permessage-deflate; client_max_window_bits=12"], base + "; client_max_window_bits=10",
                config: PerMessageDeflateConfig(clientMaxWindowBits: 10)),
    DeflateCase(["permessage-deflate; client_max_window_bits=9"], base + "; client_max_window_bits=9",
                config: PerMessageDeflateConfig(clientMaxWindowBits: 14)),
    DeflateCase(["permessage-deflate; client_no_context_takeover; server_max_window_bits=10; server_no_context_takeover"],
                base + "; client_no_context_takeover; server_max_window_bits=10"),
    // Quoted values (RFC 6455 §9.1: unescaped, must be tokens).
    DeflateCase([#"permessage-deflate; server_max_window_bits="10""#], base + "; server_max_window_bits=10"),
    DeflateCase([#"permessage-deflate; client_max_window_bits="9""#], base + "; client_max_window_bits=9"),
    DeflateCase([#"permessage-deflate; client_max_window_bits="\9""#], base + "; client_max_window_bits=9"),
    // OWS and case.
    DeflateCase(["  permessage-deflate ;client_no_context_takeover ;  server_max_window_bits = 11  "],
                base + "; client_no_context_takeover; server_max_window_bits=11"),
    DeflateCase(["Permessage-Deflate; Client_No_Context_Takeover"], base + "; client_no_context_takeover"),
    // Several offers: the first acceptable one wins, in the client's order.
    DeflateCase(["permessage-deflate; server_max_window_bits=7, permessage-deflate; client_no_context_takeover"],
                base + "; client_no_context_takeover"),
    DeflateCase(["permessage-deflate; x-unknown, permessage-deflate; server_max_window_bits=9, permessage-deflate"],
                base + "; server_max_window_bits=9"),
    DeflateCase(["permessage-deflate; server_max_window_bits=10", "permessage-deflate"],
                base + "; server_max_window_bits=10"),
    DeflateCase(["x-webkit-deflate-frame", "foo; a=1, permessage-deflate"], base),
    DeflateCase([#"permessage-deflate; client_max_window_bits="1,0", permessage-deflate; client_no_context_takeover"#],
                base + "; client_no_context_takeover"),
    DeflateCase(["permessage-deflate;; x, , permessage-deflate"], base),
    DeflateCase([#"foo; bar="a;b,c", permessage-deflate"#], base),
]

let declinedOffers: [DeflateCase] = [
    DeflateCase([], nil),
    DeflateCase([""], nil),
    DeflateCase(["x-webkit-deflate-frame"], nil),
    DeflateCase(["permessage-deflate"], nil, config: PerMessageDeflateConfig(enabled: false)),
    DeflateCase(["permessage-deflate; x-unknown"], nil),
    DeflateCase(["permessage-deflate; client_no_context_takeover; client_no_context_takeover"], nil),
    DeflateCase(["permessage-deflate; server_max_window_bits=10; server_max_window_bits=10"], nil),
    DeflateCase(["permessage-deflate; client_max_window_bits; client_max_window_bits=10"], nil),
    DeflateCase(["permessage-deflate; server_no_context_takeover; SERVER_NO_CONTEXT_TAKEOVER"], nil),
    DeflateCase(["permessage-deflate; server_no_context_takeover=1"], nil),
    DeflateCase(["permessage-deflate; client_no_context_takeover=true"], nil),
    DeflateCase(["permessage-deflate; server_max_window_bits"], nil),
    DeflateCase(["permessage-deflate; server_max_window_bits=7"], nil),
    DeflateCase(["permessage-deflate; server_max_window_bits=16"], nil),
    DeflateCase(["permessage-deflate; server_max_window_bits=010"], nil),
    DeflateCase(["permessage-deflate; server_max_window_bits=+9"], nil),
    DeflateCase(["permessage-deflate; server_max_window_bits=abc"], nil),
    DeflateCase(["permessage-deflate; server_max_window_bits=99999999999999999999"], nil),
    DeflateCase(["permessage-deflate; client_max_window_bits=7"], nil),
    DeflateCase(["permessage-deflate; client_max_window_bits=16"], nil),
    DeflateCase(["permessage-deflate; client_max_window_bits=x"], nil),
    DeflateCase(["permessage-deflate; client_max_window_bits="], nil),
    DeflateCase([#"permessage-deflate; client_max_window_bits="""#], nil),
    DeflateCase([#"permessage-deflate; client_max_window_bits="1 0""#], nil),
    DeflateCase([#"permessage-deflate; client_max_window_bits="10"#], nil),
    DeflateCase(["permessage-deflate;"], nil),
    DeflateCase(["permessage-deflate client_no_context_takeover"], nil),
    DeflateCase(["permessage-deflate; =10"], nil),
]

@Test(arguments: acceptedOffers + declinedOffers)
func negotiation(testCase: DeflateCase) {
    let result = PerMessageDeflateNegotiation.negotiate(offers: testCase.offers, config: testCase.config)
    #expect(result?.responseHeaderValue == testCase.response)
    #expect(result?.serverNoContextTakeover ?? true)
}

@Test func negotiatedParameters() {
    func negotiate(_ offer: String, _ config: PerMessageDeflateConfig = PerMessageDeflateConfig()) -> PerMessageDeflateParameters? {
        PerMessageDeflateNegotiation.negotiate(offers: [offer], config: config)
    }
    #expect(negotiate("permessage-deflate") == PerMessageDeflateParameters(
        serverNoContextTakeover: true, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15))
    // Without server_max_window_bits in the offer the configured limit applies silently (§7.1.2.1
    // forbids announcing it).
    let limited = negotiate("permessage-deflate; client_no_context_takeover", PerMessageDeflateConfig(serverMaxWindowBits: 10))
    #expect(limited?.serverMaxWindowBits == 10 && limited?.clientNoContextTakeover == true)
    #expect(limited?.responseHeaderValue == base + "; client_no_context_takeover")
    let autobahn = negotiate("permessage-deflate; server_max_window_bits=8; client_max_window_bits")
    #expect(autobahn?.serverMaxWindowBits == 8 && autobahn?.clientMaxWindowBits == 15)
    // Without client_max_window_bits in the offer the client's window cannot be limited (§7.1.2.2).
    let unlimited = negotiate("permessage-deflate", PerMessageDeflateConfig(clientMaxWindowBits: 9))
    #expect(unlimited?.clientMaxWindowBits == 15 && unlimited?.responseHeaderValue == base)
    let bare = negotiate("permessage-deflate; client_max_window_bits", PerMessageDeflateConfig(clientMaxWindowBits: 9))
    #expect(bare?.clientMaxWindowBits == 9)
    let clamped = negotiate("permessage-deflate; client_max_window_bits", PerMessageDeflateConfig(clientMaxWindowBits: 3, serverMaxWindowBits: 40))
    #expect(clamped?.clientMaxWindowBits == 8 && clamped?.serverMaxWindowBits == 15)
}

@Test func responseHeaderValueExample() {
    let p = PerMessageDeflateParameters(serverNoContextTakeover: true, clientNoContextTakeover: true,
                                        serverMaxWindowBits: 10, clientMaxWindowBits: 15)
    #expect(p.responseHeaderValue
        == "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10")
}
