import Foundation
import Glibc
import Testing
@testable import Hub

/// The promise of the mailbox: a `send` that got its reply is never lost, even when the hub is
/// killed (SIGKILL: no drain, no shutdown code) in the middle of a stream of sends.
@Suite struct TelepathyCrashTests {
    @Test func everyAnsweredSendSurvivesSIGKILLAndIsDeliveredOnceInOrder() async throws {
        try await TestThreadExecutor.run {
            let dir = TestDirectory()
            let dataDir = dir.file("data")
            let (aliceToken, bobToken): (String, String) = try {
                let tokens = try TokenStore.open(dataDir: dataDir)
                return (try tokens.createToken(user: "alice", kind: .user).secret,
                        try tokens.createToken(user: "bob", kind: .user).secret)
            }()

            // 1. Alice streams 200 sends without waiting; the hub is killed after 60 replies.
            let total = 200
            var answered: [Int: String] = [:]  // n → message id
            do {
                let (hub, port) = try DaemonIdentityTests.start(dataDir: dataDir)
                let alice = try AuthClient.welcomed(port: port, token: aliceToken).client
                for n in 1...total {
                    try alice.send(#"{"op":"send","id":\#(n),"to":"bob","data":{"n":\#(n)},"key":"k\#(n)"}"#)
                }
                var killed = false
                readReplies: while true {
                    let m: V1Message
                    do {
                        m = try alice.next(timeout: 10)
                    } catch {
                        // After the kill: EOF or a reset, and no more replies.
                        #expect(killed, "the connection failed before the kill: \(error)")
                        break readReplies
                    }
                    guard let n = m.id else { continue }
                    let id = try #require(m.result?["message"] as? String, "reply \(m)")
                    answered[n] = id
                    if answered.count == 60 && !killed {
                        hub.send(SIGKILL)
                        killed = true
                    }
                    if answered.count == total { break }
                }
                hub.process.waitUntilExit()
                #expect(hub.process.terminationReason == .uncaughtSignal)
                #expect(hub.process.terminationStatus == SIGKILL)
            }
            #expect(answered.count >= 60)
            #expect(answered.count < total, "the kill came after every send was answered: nothing was tested")

            // 2. A new hub on the same directory; bob connects and gets every answered message.
            let (hub, port) = try DaemonIdentityTests.start(dataDir: dataDir)
            defer { hub.send(SIGKILL); hub.process.waitUntilExit() }
            let alice = try DMUser(port: port, name: "alice", token: aliceToken)
            let bob = try DMUser(port: port, name: "bob", token: bobToken)
            try TelepathyTest.marker("end", from: alice, to: "bob")
            let all = try bob.dms(untilMarker: "end", timeout: 60)
            let got = TelepathyTest.messages(all)
            let numbers = got.compactMap { DMUser.number($0) }
            #expect(numbers.count == got.count)
            // In order, each once (before any ack), and no gaps: the sends were stored one by one.
            #expect(numbers == Array(1..<(numbers.count + 1)), "\(numbers)")
            #expect(Set(got.compactMap { DMUser.messageID($0) }).count == got.count)
            // Every answered send is there with the id its reply named. (Some unanswered ones
            // may be there too: stored, but killed before the reply went out.)
            for (n, id) in answered {
                #expect(n <= numbers.count, "answered message \(n) lost")
                if n <= got.count { #expect(DMUser.messageID(got[n - 1]) == id) }
            }
            #expect(got.allSatisfy { DMUser.sender($0) == "alice" })

            // 3. Retrying an answered send with its key stores nothing new.
            let (retry, _) = try alice.client.call(#"{"op":"send","id":999,"to":"bob","data":{"n":1},"key":"k1"}"#, id: 999)
            #expect(retry.result?["message"] as? String == answered[1])

            // 4. Bob acks everything; a new connection then gets nothing before the next message.
            for m in all { try bob.ack(try #require(DMUser.messageID(m))) }
            bob.close()
            let bob2 = try DMUser(port: port, name: "bob", token: bobToken)
            try TelepathyTest.marker("after", from: alice, to: "bob")
            let again = try bob2.dms(untilMarker: "after")
            #expect(again.count == 1, "\(again.count - 1) acked messages came again")
        }
    }
}
