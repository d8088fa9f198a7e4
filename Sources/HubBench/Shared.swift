import Synchronization

/// Phases of a run, set by the main thread and read by the loops each turn.
enum Phase: Int {
    /// Connecting and subscribing.
    case setup = 0
    /// Publishing / echoing / churning.
    case run = 1
    /// No new sends; outstanding work finishes (churned clients still reconnect and recover).
    case drain = 2
    /// Loops close everything and return.
    case stop = 3
}

/// State the main thread and the loops share.
final class Shared: Sendable {
    let phase = Atomic<Int>(Phase.setup.rawValue)
    /// Fan-out: publications every subscriber must get; churn: the last offset published (-1: not yet known).
    let target = Atomic<Int>(-1)

    var currentPhase: Phase { Phase(rawValue: phase.load(ordering: .acquiring))! }
    func set(_ p: Phase) { phase.store(p.rawValue, ordering: .releasing) }
}

/// One loop's counters, read by the main thread for progress (each loop writes only its own).
final class LoopStats: Sendable {
    /// Sockets that completed the handshake and are ready (welcome seen / subscribe answered).
    let ready = Atomic<Int>(0)
    /// Connect, handshake and protocol failures, and unexpected closes.
    let failed = Atomic<Int>(0)
    /// Sockets currently open.
    let open = Atomic<Int>(0)
    /// Publications received (fanout/churn) or echoes received (echo).
    let received = Atomic<Int>(0)
    /// Publications or echo messages sent.
    let sent = Atomic<Int>(0)
    /// Publish replies received.
    let acked = Atomic<Int>(0)
    /// Subscribers that have everything (fanout: the target count; churn: up to the target offset).
    let complete = Atomic<Int>(0)
    /// Churn reconnects completed (recover answered).
    let reconnects = Atomic<Int>(0)
    /// Publish replies that were errors.
    let publishErrors = Atomic<Int>(0)
    /// The phase this loop acted on in its last turn.
    let seenPhase = Atomic<Int>(0)
    /// Largest offset in a publish reply.
    let maxOffset = Atomic<Int>(0)
}

/// The counters of `LoopStats`, by name (key paths cannot reach non-copyable atomics).
enum Counter {
    case ready, failed, open, received, sent, acked, complete, reconnects, publishErrors
}

extension LoopStats {
    func value(_ c: Counter) -> Int {
        switch c {
        case .ready: ready.load(ordering: .acquiring)
        case .failed: failed.load(ordering: .acquiring)
        case .open: open.load(ordering: .acquiring)
        case .received: received.load(ordering: .acquiring)
        case .sent: sent.load(ordering: .acquiring)
        case .acked: acked.load(ordering: .acquiring)
        case .complete: complete.load(ordering: .acquiring)
        case .reconnects: reconnects.load(ordering: .acquiring)
        case .publishErrors: publishErrors.load(ordering: .acquiring)
        }
    }
}
