import Broadcast

/// Work posted to a loop from another thread through its mailbox.
enum LoopTask: Sendable {
    /// Stop accepting and close every connection with 1001 (the drain).
    case shutdown
    /// The drain timed out: close every remaining socket now.
    case forceClose
    /// Something from the bus: a publication, a subscription outcome, a presence event.
    case bus(BusEvent)
    /// Run a closure on the loop thread.
    case run(@Sendable (EventLoop) -> Void)
}
