import Synchronization
@testable import Broadcast

/// A sink that records every event, for tests.
final class RecordingSink: BusSink {
    private let events = Mutex<[BusEvent]>([])

    func busDeliver(_ event: BusEvent) {
        events.withLock { $0.append(event) }
    }

    var all: [BusEvent] { events.withLock { $0 } }

    /// Waits (polling, bounded) until `count` events arrived.
    func waitFor(_ count: Int, timeout: Double = 5) async -> [BusEvent] {
        await poll(timeout) { $0.all.count >= count }
        return all
    }

    /// Waits (polling, bounded) until `count` subscribe outcomes arrived; presence events and
    /// publications in between do not count (a `public.*` topic has presence on).
    func waitForOutcomes(_ count: Int, timeout: Double = 5) async -> [SubscribeOutcome] {
        await poll(timeout) { $0.outcomes.count >= count }
        return outcomes
    }

    private func poll(_ timeout: Double, until done: (RecordingSink) -> Bool) async {
        let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
        while ContinuousClock.now < deadline && !done(self) {
            try? await Task.sleep(for: .milliseconds(2))
        }
    }

    var publications: [Publication] {
        all.compactMap { if case .publication(let p) = $0 { return p } else { return nil } }
    }

    var outcomes: [SubscribeOutcome] {
        all.compactMap { if case .subscribed(let o) = $0 { return o } else { return nil } }
    }

    var presence: [PresenceEvent] {
        all.compactMap { if case .presence(let p) = $0 { return p } else { return nil } }
    }
}

/// Awaits a reply-closure API.
func awaitReply<T: Sendable>(_ body: (@escaping @Sendable (T) -> Void) -> Void) async -> T {
    await withCheckedContinuation { c in body { c.resume(returning: $0) } }
}

/// A controllable clock in milliseconds.
final class TestClock: Sendable {
    let now = Atomic<UInt64>(1_000_000)
    func advance(ms: UInt64) { now.add(ms, ordering: .relaxed) }
    var function: @Sendable () -> UInt64 { { [self] in now.load(ordering: .relaxed) } }
}
