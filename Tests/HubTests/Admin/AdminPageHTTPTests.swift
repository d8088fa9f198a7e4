import Testing

@testable import Hub

/// `GET /admin`: the dashboard page itself, as plain HTTP.
@Suite struct AdminPageHTTPTests {
    @Test func getAdminServesTheSelfContainedPage() throws {
        try TestServer.run { server in
            let r = try ServerHTTPTests.exchange("GET /admin HTTP/1.1\r\nHost: x\r\n\r\n", port: server.port)
            #expect(r.status == 200)
            #expect(r.header("Content-Type") == "text/html; charset=utf-8")
            #expect(r.header("Cache-Control") == "no-store")
            let csp = try #require(r.header("Content-Security-Policy"))
            #expect(csp.hasPrefix("default-src 'self'"))
            #expect(csp.contains("connect-src 'self' ws: wss:"))
            #expect(r.header("Content-Length") == String(r.body.count))
            let html = r.bodyText
            #expect(html.hasPrefix("<!doctype html>"))
            // The sign-in form, and the ids the browser test and operators' scripts rely on.
            for needle in [#"<form id="signin""#, #"<input id="token""#, #"type="password""#, #"id="m-connections-total""#,
                           #"id="m-publications""#, #"id="m-latency-p99""#, #"id="conn-table""#, #"id="topic-table""#,
                           #"<canvas id="chart-rates""#, #"<body data-state="signed-out">"#, "/ws/admin", #"op: "auth""#] {
                let found = html.contains(needle)
                #expect(found, "missing \(needle)")
            }
            // Self-contained: nothing fetched from elsewhere.
            let lower = html.lowercased()
            for forbidden in ["http://", "https://", "<script src", "<link", "@import", "url(", "document.cookie", "localstorage"] {
                let found = lower.contains(forbidden)
                #expect(!found, "the page contains \(forbidden)")
            }
        }
    }

    @Test func headAdminHasHeadersAndNoBody() throws {
        try TestServer.run { server in
            let r = try ServerHTTPTests.exchange("HEAD /admin HTTP/1.1\r\nHost: x\r\n\r\n", port: server.port)
            #expect(r.status == 200)
            #expect(r.header("Content-Type") == "text/html; charset=utf-8")
            #expect(r.header("Content-Length") == String(AdminPage.html.count))
            #expect(r.body.isEmpty)
        }
    }

    @Test func postAdminIsNotAllowed() throws {
        try TestServer.run { server in
            let r = try ServerHTTPTests.exchange("POST /admin HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", port: server.port)
            #expect(r.status == 405)
            #expect(r.header("Allow") == "GET")
        }
    }
}
