import Synchronization
import Testing
@testable import Hub

/// The breaker's state machine with a clock the tests move: closed → open at the threshold,
/// refusals while open, one probe when half-open, and what the probe's answer does.
@Suite struct CircuitBreakerTests {
    static func breaker(_ clock: ManualClock, threshold: Int = 3, open: Double = 10,
                        timeout: Double? = nil) -> CircuitBreaker {
        CircuitBreaker(name: "test", failureThreshold: threshold, openInterval: open, callTimeout: timeout, clock: clock.now)
    }

    static func fail(_ b: CircuitBreaker) async {
        _ = try? await b.call { () async throws -> Int in throw TestFailure() }
    }

    @Test func opensAtTheThresholdOfConsecutiveFailures() async throws {
        let clock = ManualClock()
        let b = Self.breaker(clock)
        for _ in 0..<2 { await Self.fail(b) }
        #expect(b.state == .closed)
        #expect(b.snapshot().consecutiveFailures == 2)
        await Self.fail(b)
        let s = b.snapshot()
        #expect(s.state == .open)
        #expect(s.failures == 3 && s.opens == 1 && s.rejections == 0)
        #expect(s.lastError == "boom")
        #expect(s.retryAfter == 10)
    }

    @Test func aSuccessResetsTheRun() async throws {
        let clock = ManualClock()
        let b = Self.breaker(clock)
        for _ in 0..<2 { await Self.fail(b) }
        #expect(try await b.call { 7 } == 7)
        for _ in 0..<2 { await Self.fail(b) }
        #expect(b.state == .closed)
        #expect(b.snapshot().successes == 1 && b.snapshot().failures == 4)
    }

    @Test func openRefusesAtOnceWithoutCalling() async throws {
        let clock = ManualClock()
        let b = Self.breaker(clock, threshold: 1)
        await Self.fail(b)
        clock.advance(4)
        let called = Counter()
        do {
            _ = try await b.call { called.bump() }
            Issue.record("an open breaker let a call through")
        } catch let e as CircuitBreakerError {
            #expect(e == .open(name: "test", retryAfter: 6))
            #expect("\(e)" == "circuit breaker test is open (next probe in 6 s)")
        }
        #expect(called.value == 0)
        #expect(b.snapshot().rejections == 1)
        #expect(b.snapshot().failures == 1, "a refusal is not a failure")
    }

    @Test func halfOpenLetsOneProbeThroughAndItsSuccessCloses() async throws {
        let clock = ManualClock()
        let b = Self.breaker(clock, threshold: 1)
        await Self.fail(b)
        clock.advance(10)
        #expect(b.state == .halfOpen)
        let probe = try b.acquire()
        #expect(probe.isProbe)
        #expect(throws: CircuitBreakerError.probing(name: "test")) { _ = try b.acquire() }
        #expect(b.state == .halfOpen)
        b.record(probe, failure: nil)
        #expect(b.state == .closed)
        #expect(try b.acquire().isProbe == false)
        let s = b.snapshot()
        #expect(s.rejections == 1 && s.opens == 1 && s.consecutiveFailures == 0)
    }

    @Test func aFailedProbeOpensAgainForAnotherInterval() async throws {
        let clock = ManualClock()
        let b = Self.breaker(clock, threshold: 2)
        for _ in 0..<2 { await Self.fail(b) }
        clock.advance(10)
        await Self.fail(b)  // the probe
        #expect(b.state == .open)
        #expect(b.snapshot().opens == 2)
        clock.advance(9.5)
        #expect(b.state == .open)
        clock.advance(0.5)
        #expect(b.state == .halfOpen)
        #expect(try await b.call { "back" } == "back")
        #expect(b.state == .closed)
    }

    @Test func aResultFromBeforeTheBreakerOpenedDoesNotCloseIt() async throws {
        let clock = ManualClock()
        let b = Self.breaker(clock, threshold: 2)
        let slow = try b.acquire()  // a call admitted while closed, still going
        for _ in 0..<2 { await Self.fail(b) }
        #expect(b.state == .open)
        b.record(slow, failure: nil)
        #expect(b.state == .open, "a late success from before the trip must not close it")
        #expect(b.snapshot().successes == 1)
    }

    @Test func aLostProbeIsGivenUpAfterItsLease() async throws {
        let clock = ManualClock()
        let b = Self.breaker(clock, threshold: 1, open: 5)
        await Self.fail(b)
        clock.advance(5)
        let lost = try b.acquire()
        #expect(lost.isProbe)
        clock.advance(4.5)
        #expect(throws: CircuitBreakerError.self) { _ = try b.acquire() }
        clock.advance(0.5)
        let second = try b.acquire()
        #expect(second.isProbe)
        b.record(lost, failure: TestFailure("late"))  // the lost probe's answer only counts
        #expect(b.state == .halfOpen)
        b.record(second, failure: nil)
        #expect(b.state == .closed)
    }

    @Test func aCancelledCallCountsNeitherWay() async throws {
        let clock = ManualClock()
        let b = Self.breaker(clock, threshold: 1)
        await Self.fail(b)
        clock.advance(10)
        await #expect(throws: CancellationError.self) { _ = try await b.call { () async throws -> Int in throw CancellationError() } }
        #expect(b.state == .halfOpen)
        #expect(try b.acquire().isProbe, "the probe slot was handed back")
    }

    @Test func aSlowCallTimesOutAndCountsAsAFailure() async throws {
        let b = CircuitBreaker(name: "slow", failureThreshold: 1, openInterval: 60, callTimeout: 0.05)
        let finished = Counter()
        await #expect(throws: CircuitBreakerError.timedOut(name: "slow", after: 0.05)) {
            _ = try await b.call { () async throws -> Int in
                try await Task.sleep(nanoseconds: 20_000_000_000)
                finished.bump()
                return 1
            }
        }
        // No wall-clock bound (a loaded test run delays resumptions by seconds): the caller got
        // its answer while the call was still going.
        #expect(finished.value == 0)
        let s = b.snapshot()
        #expect(s.state == .open && s.failures == 1 && s.timeouts == 1)
        #expect(s.lastError == "call through circuit breaker slow timed out after 0.05 s")
        #expect(try await CircuitBreaker(name: "fast", callTimeout: 5).call { 42 } == 42)
    }

    @Test func concurrentSuccessesAreAllCounted() async throws {
        let b = CircuitBreaker(name: "many", failureThreshold: 3)
        let total = await withTaskGroup(of: Int.self) { group in
            for i in 0..<200 {
                group.addTask {
                    (try? await b.call { () async throws -> Int in
                        await Task.yield()
                        return i
                    }) ?? -1
                }
            }
            var sum = 0
            for await v in group { sum += v }
            return sum
        }
        #expect(total == (0..<200).reduce(0, +))
        #expect(b.snapshot().successes == 200 && b.state == .closed)
    }

    /// Many callers at once against a dead service: it opens once, and every call is either a
    /// failure or a refusal.
    @Test func concurrentFailuresOpenItOnce() async throws {
        let clock = ManualClock()
        let b = Self.breaker(clock, threshold: 5)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<100 { group.addTask { await Self.fail(b) } }
        }
        let s = b.snapshot()
        #expect(s.state == .open && s.opens == 1)
        #expect(s.failures + s.rejections == 100)
        #expect(s.failures >= 5)
    }

    /// Half-open with many callers: exactly one body runs, the others are refused while it is out.
    @Test func concurrentCallersGetExactlyOneProbe() async throws {
        let clock = ManualClock()
        let b = Self.breaker(clock, threshold: 1)
        await Self.fail(b)
        clock.advance(10)
        let ran = Counter(), refused = Counter()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<50 {
                group.addTask {
                    do {
                        _ = try await b.call { () async throws -> Int in
                            ran.bump()
                            try await Task.sleep(nanoseconds: 300_000_000)
                            return 1
                        }
                    } catch CircuitBreakerError.probing {
                        refused.bump()
                    } catch {}
                }
            }
        }
        #expect(ran.value == 1)
        #expect(refused.value == 49)
        #expect(b.state == .closed)
    }

    @Test func theRegistryKeepsOneBreakerPerName() {
        let r = CircuitBreakerRegistry()
        #expect(r.all.isEmpty)
        let a = r.make(.init(name: "sqlite"))
        r.make(.init(name: "upstream"))
        #expect(r.all.map(\.name) == ["sqlite", "upstream"])
        #expect(r.breaker(named: "sqlite") === a)
        r.register(CircuitBreaker(name: "sqlite", failureThreshold: 9))
        #expect(r.all.map(\.name) == ["sqlite", "upstream"])
        #expect(r.breaker(named: "sqlite")?.configuration.failureThreshold == 9)
        #expect(r.snapshots().map(\.state) == [.closed, .closed])
    }

    @Test(arguments: [(CircuitBreakerState.closed, 0), (.halfOpen, 1), (.open, 2)])
    func gaugeValues(state: CircuitBreakerState, value: Int) {
        #expect(state.gaugeValue == value)
    }
}
