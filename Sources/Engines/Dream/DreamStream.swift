import Synchronization

/// One running stream: its names, its owner, and how to stop it and learn when it ended.
final class DreamStream: Sendable {
    private struct State {
        var stopped = false
        var source: (any DreamTokenSource)?
        var task: Task<Void, Never>?
        var tokens: Int?
        var waiters: [CheckedContinuation<Int, Never>] = []
        var begun = false
        var beginWaiters: [CheckedContinuation<Void, Never>] = []
    }

    /// `d-` and 12 hex digits.
    let id: String
    /// `dream.<id>`.
    let topic: String
    /// The user who started it (it and operators may stop it).
    let owner: String
    private let state = Mutex(State())

    init(id: String, owner: String) {
        self.id = id
        self.topic = "dream." + id
        self.owner = owner
    }

    /// A new random stream id.
    static func newID() -> String {
        let n = UInt64.random(in: 0..<(1 << 48))
        let hex = String(n, radix: 16)
        return "d-" + String(repeating: "0", count: 12 - hex.count) + hex
    }

    /// Whether a stop was asked for.
    var isStopped: Bool { state.withLock { $0.stopped } }

    /// The source now feeding the stream (stopped with it).
    func use(_ source: any DreamTokenSource) {
        let stopNow = state.withLock { s -> Bool in
            s.source = source
            return s.stopped
        }
        if stopNow { source.cancel() }
    }

    /// The task running the stream (cancelled by a stop, to cut a pace wait short).
    func use(_ task: Task<Void, Never>) {
        let stopNow = state.withLock { s -> Bool in
            s.task = task
            return s.stopped
        }
        if stopNow { task.cancel() }
    }

    /// Asks the stream to stop: its source is cancelled and its task woken.
    func requestStop() {
        let (source, task) = state.withLock { s -> ((any DreamTokenSource)?, Task<Void, Never>?) in
            s.stopped = true
            return (s.source, s.task)
        }
        source?.cancel()
        task?.cancel()
    }

    /// The stream's first publication is on the topic (or the stream ended without one).
    func begin() {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.begun = true
            defer { s.beginWaiters.removeAll() }
            return s.beginWaiters
        }
        for w in waiters { w.resume() }
    }

    /// Waits for `begin()`: the start reply goes out once the topic exists with token 0 in its
    /// history, so a watcher that asks for history or recovers from offset 0 right after the
    /// reply gets the stream's epoch and its whole beginning.
    func begun() async {
        await withCheckedContinuation { (k: CheckedContinuation<Void, Never>) in
            let done = state.withLock { s -> Bool in
                if s.begun { return true }
                s.beginWaiters.append(k)
                return false
            }
            if done { k.resume() }
        }
    }

    /// The stream ended after `tokens` tokens (its final push published).
    func complete(tokens: Int) {
        begin()
        let waiters = state.withLock { s -> [CheckedContinuation<Int, Never>] in
            s.tokens = tokens
            defer { s.waiters.removeAll() }
            return s.waiters
        }
        for w in waiters { w.resume(returning: tokens) }
    }

    /// Waits for the end; returns the tokens published.
    func finished() async -> Int {
        await withCheckedContinuation { (k: CheckedContinuation<Int, Never>) in
            let done = state.withLock { s -> Int? in
                if let t = s.tokens { return t }
                s.waiters.append(k)
                return nil
            }
            if let done { k.resume(returning: done) }
        }
    }
}
