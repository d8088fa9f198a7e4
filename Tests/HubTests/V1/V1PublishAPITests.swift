import Broadcast
import Foundation
import Testing
@testable import Hub

/// `POST /api/v1/publish` (PROTOCOL.md "Command line and HTTP"): bearer key, JSON answers, and
/// the publication reaching `/ws` subscribers.
@Suite struct V1PublishAPITests {
    static let key = "test-key-0123456789"

    static func configure(_ c: inout HubConfig) {
        c.apiKeys = ["other-key", key]
        c.namespaces = Namespaces(["public": NamespaceRules(), "sealed": NamespaceRules(publish: .nobody)])
    }

    static func post(_ port: Int, body: String, key: String? = V1PublishAPITests.key, method: String = "POST") throws -> TestHTTPResponse {
        var request = "\(method) /api/v1/publish HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        if let key { request += "Authorization: Bearer \(key)\r\n" }
        request += "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
        return try exchange(request, port: port)
    }

    /// One request and the whole answer, up to the server's close. The publish answer waits for
    /// the bus, so the wait is longer than ServerHTTPTests' one second.
    static func exchange(_ request: String, port: Int) throws -> TestHTTPResponse {
        let socket = try TestSocket(port: port)
        try socket.send(request)
        let bytes = try socket.readToEnd(timeout: 10)
        return try #require(TestHTTPResponse(bytes), "not an HTTP response: \(String(decoding: bytes, as: UTF8.self))")
    }

    /// The `error.code` of a JSON error answer.
    static func code(_ r: TestHTTPResponse) -> String? {
        let object = try? JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any]
        return (object?["error"] as? [String: Any])?["code"] as? String
    }

    @Test func publishesToSubscribers() async throws {
        try await TestServer.runOnThread(Self.configure) { server in
            let sub = try V1Client(port: server.port)
            try sub.subscribe("public.api", id: 1)
            for i in 1...3 {
                let r = try Self.post(server.port, body: #"{"topic":"public.api","data":{ "n" : \#(i) , "s":"\u00e9" }}"#)
                #expect(r.status == 200, "\(r.statusLine) \(r.bodyText)")
                #expect(r.bodyText == #"{"offset":\#(i)}"#)
                #expect(r.header("Content-Type") == "application/json")
            }
            var pubs: [V1Message] = []
            while pubs.count < 3 {
                let m = try sub.next()
                if m.isPublication { pubs.append(m) }
            }
            // Spliced byte for byte, and no `from`: the API is not a client.
            #expect(pubs.map(\.text) == (1...3).map { #"{"topic":"public.api","offset":\#($0),"data":{ "n" : \#($0) , "s":"\u00e9" }}"# })
            // Another client's publish continues the same stream.
            #expect(try sub.publish("public.api", data: "4", id: 2) == 4)
        }
    }

    @Test func errors() async throws {
        try await TestServer.runOnThread(Self.configure) { server in
            let body = #"{"topic":"public.e","data":1}"#
            let missing = try Self.post(server.port, body: body, key: nil)
            #expect(missing.status == 401)
            #expect(Self.code(missing) == "unauthorized", "\(missing.bodyText)")
            #expect(missing.header("Content-Type") == "application/json")

            let wrong = try Self.post(server.port, body: body, key: Self.key + "x")
            #expect(wrong.status == 401)
            #expect(Self.code(wrong) == "unauthorized", "\(wrong.bodyText)")

            let unknown = try Self.post(server.port, body: #"{"topic":"nowhere.x","data":1}"#)
            #expect(unknown.status == 403)
            #expect(Self.code(unknown) == "forbidden", "\(unknown.bodyText)")

            let noData = try Self.post(server.port, body: #"{"topic":"public.e"}"#)
            #expect(noData.status == 400)
            #expect(Self.code(noData) == "bad_request", "\(noData.bodyText)")

            let badJSON = try Self.post(server.port, body: #"{"topic":"public.e","data":}"#)
            #expect(badJSON.status == 400)
            #expect(Self.code(badJSON) == "bad_request", "\(badJSON.bodyText)")

            let sealed = try Self.post(server.port, body: #"{"topic":"sealed.x","data":1}"#)
            #expect(sealed.status == 403, "publish: nobody holds for the API too")

            let get = try Self.exchange("GET /api/v1/publish HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(Self.key)\r\n\r\n", port: server.port)
            #expect(get.status == 405)
            #expect(get.header("Allow") == "POST")

            // None of those published anything; the other configured key works.
            let ok = try Self.post(server.port, body: body, key: "other-key")
            #expect(ok.status == 200)
            #expect(ok.bodyText == #"{"offset":1}"#)
        }
    }
}
