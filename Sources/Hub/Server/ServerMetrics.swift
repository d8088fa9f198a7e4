import Synchronization

/// Counters shared by every loop: relaxed atomics (2–4 ns an add, measured here), read by
/// `/metrics` and the admin stream.
final class ServerMetrics: Sendable {
    let accepted = Atomic<Int>(0)
    let open = Atomic<Int>(0)
    let webSocketsOpen = Atomic<Int>(0)
    let webSocketsTotal = Atomic<Int>(0)
    let httpRejections = Atomic<Int>(0)
    let protocolErrors = Atomic<Int>(0)
    let handshakeTimeouts = Atomic<Int>(0)
    let idleTimeouts = Atomic<Int>(0)
    /// Connections the `idle_connection_reaper` found past a deadline their timer missed.
    let reaped = Atomic<Int>(0)
    let deflateCalls = Atomic<Int>(0)
    let acceptErrors = Atomic<Int>(0)
    let refusedOverLimit = Atomic<Int>(0)
    let slowConsumers = Atomic<Int>(0)

    func connectionAccepted() {
        accepted.add(1, ordering: .relaxed)
        open.add(1, ordering: .relaxed)
    }
    func connectionClosed() { open.subtract(1, ordering: .relaxed) }
    func httpRejected(_ status: Int) { httpRejections.add(1, ordering: .relaxed) }
    func webSocketOpened(_ endpoint: String) {
        webSocketsOpen.add(1, ordering: .relaxed)
        webSocketsTotal.add(1, ordering: .relaxed)
        endpointsOpen.withLock { $0[endpoint, default: 0] += 1 }
    }
    func webSocketClosed(_ endpoint: String) {
        webSocketsOpen.subtract(1, ordering: .relaxed)
        endpointsOpen.withLock { $0[endpoint, default: 0] -= 1 }
    }
    func protocolError() { protocolErrors.add(1, ordering: .relaxed) }
    func handshakeTimeout() { handshakeTimeouts.add(1, ordering: .relaxed) }
    func idleTimeout() { idleTimeouts.add(1, ordering: .relaxed) }
    let commands = Atomic<Int>(0)
    let commandErrors = Atomic<Int>(0)
    let publications = Atomic<Int>(0)
    let framesEncoded = Atomic<Int>(0)
    let deliveries = Atomic<Int>(0)
    let commandSizeTrips = Atomic<Int>(0)
    let rateLimitTrips = Atomic<Int>(0)
    let topicLimitTrips = Atomic<Int>(0)
    let authFailures = Atomic<Int>(0)
    let rateLimitCloses = Atomic<Int>(0)
    let messagesIn = Atomic<Int>(0)
    /// Publish → written to the socket (the loop's `writev`), per delivery batch.
    let publishToWrite = LatencyHistogram()
    /// Open WebSockets per endpoint name.
    let endpointsOpen = Mutex<[String: Int]>([:])

    /// The limits that count when they trip.
    enum Limit { case commandSize, rate, topics }

    func commandReceived() { commands.add(1, ordering: .relaxed) }
    func authFailure() { authFailures.add(1, ordering: .relaxed) }
    func commandFailed() { commandErrors.add(1, ordering: .relaxed) }
    func published() { publications.add(1, ordering: .relaxed) }
    func frameEncoded() { framesEncoded.add(1, ordering: .relaxed) }
    func delivered(_ n: Int) { deliveries.add(n, ordering: .relaxed) }
    func limitTripped(_ limit: Limit) {
        switch limit {
        case .commandSize: commandSizeTrips.add(1, ordering: .relaxed)
        case .rate: rateLimitTrips.add(1, ordering: .relaxed)
        case .topics: topicLimitTrips.add(1, ordering: .relaxed)
        }
    }
    func slowConsumer() { slowConsumers.add(1, ordering: .relaxed) }
    func deflateCall() { deflateCalls.add(1, ordering: .relaxed) }
}
