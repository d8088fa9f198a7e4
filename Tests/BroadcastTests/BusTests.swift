import Testing
@testable import Broadcast

private let alice = ClientIdentity(client: "c-1", user: "alice")
private let anon = ClientIdentity(client: "c-2")

private func publish(_ port: BusPort, _ topic: String, _ text: String, from: ClientIdentity? = nil) async -> Result<Publication, BusError> {
    await awaitReply { port.publish(topic: topic, data: Array(text.utf8), from: from, reply: $0) }
}

@Test func topicNames() {
    #expect(TopicName.isValid("public.chat"))
    #expect(TopicName.isValid("A-z_0.9:@"))
    #expect(TopicName.isValid(String(repeating: "a", count: 128)))
    #expect(!TopicName.isValid(String(repeating: "a", count: 129)))
    #expect(!TopicName.isValid(""))
    #expect(!TopicName.isValid("a b"))
    #expect(!TopicName.isValid("a/b"))
    #expect(!TopicName.isValid("é"))
    #expect(TopicName.namespace(of: "public.chat.x") == "public")
    #expect(TopicName.namespace(of: "public") == "public")
}

@Test func permissions() {
    let admin = ClientIdentity(client: "c-3", user: "root", isAdmin: true)
    #expect(Permission.anyone.allows(anon))
    #expect(!Permission.authenticated.allows(anon))
    #expect(Permission.authenticated.allows(alice))
    #expect(!Permission.admin.allows(alice))
    #expect(Permission.admin.allows(admin))
    #expect(!Permission.nobody.allows(admin))
}

@Test func publicationsReachSubscribersInOrderWithOffsets() async {
    let bus = Bus(shardCount: 4)
    let sink = RecordingSink()
    let port = BusPort(bus: bus, sink: sink)
    port.subscribe(1, identity: alice, topic: "public.a", recover: nil, requestID: 7)
    for i in 1...50 {
        let r = await publish(port, "public.a", "\(i)")
        #expect((try? r.get().offset) == UInt64(i))
    }
    _ = await sink.waitFor(1 + 1 + 50)  // subscribed, join, 50 publications
    let outcome = sink.outcomes.first
    #expect(outcome?.requestID == 7)
    #expect(outcome?.position.offset == 0)
    #expect(outcome?.isNew == true)
    #expect(sink.publications.map(\.offset) == Array(1...50).map(UInt64.init))
    #expect(sink.publications.map { String(decoding: $0.data, as: UTF8.self) } == (1...50).map(String.init))
}

@Test func subscribeIsIdempotentAndUnsubscribeStopsDelivery() async {
    let bus = Bus()
    let sink = RecordingSink()
    let port = BusPort(bus: bus, sink: sink)
    let other = RecordingSink()
    let otherPort = BusPort(bus: bus, sink: other)
    otherPort.subscribe(2, identity: anon, topic: "public.a", recover: nil, requestID: nil)
    _ = await other.waitFor(2)
    port.subscribe(1, identity: alice, topic: "public.a", recover: nil, requestID: nil)
    port.subscribe(1, identity: alice, topic: "public.a", recover: nil, requestID: nil)
    _ = await publish(port, "public.a", "1")
    port.unsubscribe(1, topic: "public.a")
    _ = await publish(port, "public.a", "2")
    let stats = await bus.stats()
    #expect(stats.subscriptions == 1)
    #expect(sink.outcomes.map(\.isNew) == [true, false])
    #expect(sink.publications.map(\.offset) == [1])
    // The leaver's own sink had no one else left to tell; the other subscriber sees both.
    #expect(sink.presence.map(\.kind) == [.join])
    _ = await other.waitFor(2 + 1 + 2 + 1)
    #expect(other.presence.map(\.kind) == [.join, .join, .leave])
    #expect(other.publications.map(\.offset) == [1, 2])
}

@Test func unknownNamespaceIsRefused() async {
    let bus = Bus()
    let port = BusPort(bus: bus, sink: RecordingSink())
    let r = await publish(port, "secret.x", "1")
    #expect(throws: BusError.unknownNamespace("secret")) { try r.get() }
}

@Test func exactRecoveryReplaysOnlyWhatWasMissed() async {
    let bus = Bus()
    let sink = RecordingSink()
    let port = BusPort(bus: bus, sink: sink)
    for i in 1...10 { _ = await publish(port, "public.r", "\(i)") }
    let epoch = try! await publish(port, "public.r", "11").get().epoch
    port.subscribe(1, identity: alice, topic: "public.r", recover: StreamPosition(epoch: epoch, offset: 7), requestID: 1)
    // Up to date: nothing to replay, still recovered.
    port.subscribe(2, identity: alice, topic: "public.r", recover: StreamPosition(epoch: epoch, offset: 11), requestID: 2)
    // Wrong epoch: nothing replayed.
    port.subscribe(3, identity: alice, topic: "public.r", recover: StreamPosition(epoch: "other", offset: 3), requestID: 3)
    // A future offset is not recoverable.
    port.subscribe(4, identity: alice, topic: "public.r", recover: StreamPosition(epoch: epoch, offset: 12), requestID: 4)
    // Presence joins arrive in between (public has presence on): wait for the four outcomes.
    _ = await sink.waitForOutcomes(4)
    let byID = Dictionary(uniqueKeysWithValues: sink.outcomes.map { ($0.requestID!, $0) })
    #expect(byID[1]?.recovered == true)
    #expect(byID[1]?.missed.map(\.offset) == [8, 9, 10, 11])
    #expect(byID[1]?.position == StreamPosition(epoch: epoch, offset: 11))
    #expect(byID[2]?.recovered == true && byID[2]?.missed.isEmpty == true)
    #expect(byID[3]?.recovered == false && byID[3]?.missed.isEmpty == true)
    #expect(byID[4]?.recovered == false)
}

@Test func recoveryFailsWhenTheRingOverflowed() async {
    let rules = NamespaceRules(historySize: 5)
    let bus = Bus(namespaces: Namespaces(["small": rules]))
    let sink = RecordingSink()
    let port = BusPort(bus: bus, sink: sink)
    var epoch = ""
    for i in 1...12 { epoch = try! await publish(port, "small.x", "\(i)").get().epoch }
    // Has 6; needs 7…12 but the ring holds 8…12.
    port.subscribe(1, identity: alice, topic: "small.x", recover: StreamPosition(epoch: epoch, offset: 6), requestID: 1)
    // Has 7; needs 8…12: exactly what the ring holds.
    port.subscribe(2, identity: alice, topic: "small.x", recover: StreamPosition(epoch: epoch, offset: 7), requestID: 2)
    _ = await sink.waitForOutcomes(2)
    let byID = Dictionary(uniqueKeysWithValues: sink.outcomes.map { ($0.requestID!, $0) })
    #expect(byID[1]?.recovered == false)
    #expect(byID[1]?.missed.isEmpty == true)
    #expect(byID[2]?.recovered == true)
    #expect(byID[2]?.missed.map(\.offset) == [8, 9, 10, 11, 12])
}

@Test func recoveryFailsAfterTheTTL() async {
    let clock = TestClock()
    let bus = Bus(namespaces: Namespaces(["ttl": NamespaceRules(historySize: 100, historyTTL: 10)]), clock: clock.function)
    let sink = RecordingSink()
    let port = BusPort(bus: bus, sink: sink)
    port.subscribe(9, identity: alice, topic: "ttl.x", recover: nil, requestID: nil)  // keeps the topic alive
    var epoch = ""
    for i in 1...3 { epoch = try! await publish(port, "ttl.x", "\(i)").get().epoch }
    clock.advance(ms: 11_000)
    _ = await publish(port, "ttl.x", "4")
    port.subscribe(1, identity: alice, topic: "ttl.x", recover: StreamPosition(epoch: epoch, offset: 1), requestID: 1)
    port.subscribe(2, identity: alice, topic: "ttl.x", recover: StreamPosition(epoch: epoch, offset: 3), requestID: 2)
    _ = await sink.waitFor(3 + 4 + 2)
    let byID = Dictionary(uniqueKeysWithValues: sink.outcomes.compactMap { o in o.requestID.map { ($0, o) } })
    #expect(byID[1]?.recovered == false)
    #expect(byID[2]?.recovered == true)
    #expect(byID[2]?.missed.map(\.offset) == [4])
}

@Test func historyQueries() async {
    let bus = Bus()
    let port = BusPort(bus: bus, sink: RecordingSink())
    var epoch = ""
    for i in 1...8 { epoch = try! await publish(port, "public.h", "\(i)").get().epoch }
    let all = try! await awaitReply { port.history(topic: "public.h", limit: nil, since: nil, reply: $0) }.get()
    #expect(all.publications.map(\.offset) == Array(1...8).map(UInt64.init))
    #expect(all.position.offset == 8)
    let newest = try! await awaitReply { port.history(topic: "public.h", limit: 3, since: nil, reply: $0) }.get()
    #expect(newest.publications.map(\.offset) == [6, 7, 8])
    let since = try! await awaitReply { port.history(topic: "public.h", limit: nil, since: StreamPosition(epoch: epoch, offset: 5), reply: $0) }.get()
    #expect(since.publications.map(\.offset) == [6, 7, 8])
    let other = try! await awaitReply { port.history(topic: "public.h", limit: nil, since: StreamPosition(epoch: "x", offset: 1), reply: $0) }.get()
    #expect(other.publications.isEmpty && other.position.epoch == epoch)
}

@Test func presenceListsMembersAndEmitsJoinLeave() async {
    let bus = Bus(namespaces: Namespaces(["public": NamespaceRules(), "quiet": NamespaceRules(presence: false)]))
    let sink = RecordingSink()
    let port = BusPort(bus: bus, sink: sink)
    port.subscribe(1, identity: alice, topic: "public.p", recover: nil, requestID: nil)
    port.subscribe(2, identity: anon, topic: "public.p", recover: nil, requestID: nil)
    let members = try! await awaitReply { port.presence(topic: "public.p", reply: $0) }.get()
    #expect(members == [alice, anon])
    port.unsubscribe(1, topic: "public.p")
    _ = await sink.waitFor(2 + 2 + 1)  // two outcomes, two joins, one leave
    #expect(sink.presence.map(\.kind) == [.join, .join, .leave])
    #expect(sink.presence.last?.identity == alice)
    let quiet = await awaitReply { port.presence(topic: "quiet.p", reply: $0) }
    #expect(throws: BusError.presenceDisabled) { try quiet.get() }
    port.subscribe(3, identity: anon, topic: "quiet.p", recover: nil, requestID: nil)
    _ = await sink.waitFor(2 + 2 + 1 + 1)
    #expect(sink.presence.count == 3)
}

@Test func onePublicationEventPerSinkNotPerSubscriber() async {
    let bus = Bus()
    let a = RecordingSink(), b = RecordingSink()
    let portA = BusPort(bus: bus, sink: a), portB = BusPort(bus: bus, sink: b)
    for i in 0..<100 { portA.subscribe(UInt64(i), identity: ClientIdentity(client: "a\(i)"), topic: "public.f", recover: nil, requestID: nil) }
    for i in 100..<150 { portB.subscribe(UInt64(i), identity: ClientIdentity(client: "b\(i)"), topic: "public.f", recover: nil, requestID: nil) }
    // Let both ports' subscriptions land before publishing (each port is ordered only with itself).
    _ = await a.waitFor(100)
    _ = await b.waitFor(50)
    _ = await publish(portA, "public.f", "x")
    _ = await b.waitFor(50 + 1)
    #expect(a.publications.count == 1)
    #expect(b.publications.count == 1)
}
