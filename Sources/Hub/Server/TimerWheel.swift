/// A hashed timer wheel: one slot per `tickMs`, lazily cancelled entries.
///
/// Each connection has one pending deadline at a time. Rescheduling does not remove the old
/// entry: the entry remembers the connection's timer generation, and a stale one is skipped when
/// its slot comes round. Deadlines beyond one turn of the wheel are re-inserted when reached.
struct TimerWheel<Target: AnyObject> {
    private struct Entry {
        let target: Target
        let generation: UInt32
        let due: UInt64
    }

    private var slots: [[Entry]]
    private let tickMs: UInt64
    private var current: UInt64

    /// A wheel of `slotCount` slots of `tickMs` each, starting at `now`.
    init(tickMs: UInt64 = 50, slotCount: Int = 2048, now: UInt64) {
        self.tickMs = tickMs
        self.slots = Array(repeating: [], count: slotCount)
        self.current = now / tickMs
    }

    /// Schedules `target` for `due` (ms); `generation` identifies this scheduling.
    mutating func schedule(_ target: Target, generation: UInt32, due: UInt64) {
        let tick = max(due / tickMs, current + 1)
        slots[Int(tick % UInt64(slots.count))].append(Entry(target: target, generation: generation, due: due))
    }

    /// Milliseconds until the next tick (the loop's epoll timeout).
    func msUntilNextTick(now: UInt64) -> Int {
        let next = (current + 1) * tickMs
        return next > now ? Int(next - now) : 0
    }

    /// Moves every entry due by `now` into `due` (target and generation). The caller fires them
    /// after this returns, so firing may schedule again without touching the wheel mid-walk.
    mutating func advance(to now: UInt64, into due: inout [(Target, UInt32)]) {
        let target = now / tickMs
        while current < target {
            current += 1
            let index = Int(current % UInt64(slots.count))
            if slots[index].isEmpty { continue }
            let entries = slots[index]
            slots[index].removeAll(keepingCapacity: true)
            for e in entries {
                if e.due / tickMs > current {
                    slots[index].append(e)  // a later turn of the wheel
                } else {
                    due.append((e.target, e.generation))
                }
            }
        }
    }
}
