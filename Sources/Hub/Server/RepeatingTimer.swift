import Dispatch

/// A Dispatch timer that runs a handler every `interval` seconds on a queue of its own, off the
/// event loops and off Swift's cooperative pool: the tick of each `ScheduledTask`.
///
/// `@unchecked Sendable`: the source is created in `init` and afterwards only cancelled, which
/// Dispatch allows from any thread.
final class RepeatingTimer: @unchecked Sendable {
    private let source: DispatchSourceTimer

    /// Starts at once; the first run is after one interval.
    init(label: String, interval: Double, handler: @escaping @Sendable () -> Void) {
        source = DispatchSource.makeTimerSource(queue: DispatchQueue(label: label))
        source.setEventHandler(handler: handler)
        source.schedule(deadline: .now() + interval, repeating: interval)
        source.resume()
    }

    /// Stops it for good.
    func cancel() { source.cancel() }

    deinit { source.cancel() }
}
