/// The operations parts of the health family: `/health/background-tasks`,
/// `/health/circuit-breakers` and `/health/cache`. Each reads in-memory records under their
/// locks, so they answer on the spot, on the loop, without a hop.
extension HealthRoutes {
    /// Every scheduled task: `degraded` when one's last run failed or it is overdue (more than
    /// three intervals, at least the interval + 2 s, without starting a run).
    func backgroundTasks() -> (HealthStatus, [UInt8]) {
        let tasks = status.scheduler.snapshots()
        guard !tasks.isEmpty else {
            var o = JSONObjectWriter()
            o.string("status", HealthStatus.notConfigured.rawValue)
            o.array("tasks") { _ in }
            o.string("message", "no background tasks are scheduled")
            return (.notConfigured, o.finish())
        }
        let s = HealthStatus.worst(tasks.map(\.status))
        var o = JSONObjectWriter(reservingCapacity: 256 * tasks.count)
        o.string("status", s.rawValue)
        o.array("tasks") { a in
            for t in tasks {
                a.object { e in
                    e.string("name", t.name)
                    e.string("status", t.status.rawValue)
                    e.raw("interval_s", Array(Self.seconds(t.interval).utf8))
                    Self.seconds("last_run_age_s", t.lastRunAge, into: &e)
                    if let ms = t.lastRunUnixMs { e.int("last_run_unix_ms", Int(ms)) } else { e.null("last_run_unix_ms") }
                    Self.seconds("last_duration_s", t.lastDuration, into: &e)
                    e.int("runs", t.runs)
                    e.int("failures", t.failures)
                    e.int("skipped", t.skipped)
                    e.bool("running", t.running)
                    e.bool("overdue", t.isOverdue)
                    e.bool("last_run_failed", t.lastRunFailed)
                    e.string("last_error", t.lastError)
                }
            }
        }
        return (s, o.finish())
    }

    /// Every circuit breaker: `degraded` while one is open, `not_configured` when there are none.
    func circuitBreakers() -> (HealthStatus, [UInt8]) {
        let breakers = status.breakers.snapshots()
        let s: HealthStatus = breakers.isEmpty ? .notConfigured : (breakers.contains { $0.state == .open } ? .degraded : .ok)
        var o = JSONObjectWriter(reservingCapacity: 128 + 384 * breakers.count)
        o.string("status", s.rawValue)
        o.array("breakers") { a in
            for b in breakers {
                a.object { e in
                    e.string("name", b.name)
                    e.string("state", b.state.rawValue)
                    e.int("failure_threshold", b.failureThreshold)
                    e.raw("open_interval_s", Array(Self.seconds(b.openInterval).utf8))
                    Self.seconds("call_timeout_s", b.callTimeout, into: &e)
                    e.int("consecutive_failures", b.consecutiveFailures)
                    e.int("successes", b.successes)
                    e.int("failures", b.failures)
                    e.int("timeouts", b.timeouts)
                    e.int("rejections", b.rejections)
                    e.int("opens", b.opens)
                    e.string("last_error", b.lastError)
                    Self.seconds("last_error_age_s", b.lastErrorAge, into: &e)
                    e.raw("since_transition_s", Array(Self.seconds(b.sinceTransition).utf8))
                    e.raw("retry_after_s", Array(Self.seconds(b.retryAfter).utf8))
                }
            }
        }
        if breakers.isEmpty { o.string("message", "no circuit breakers are registered") }
        return (s, o.finish())
    }

    /// Every cache's size and counters: `ok`, or `not_configured` when there are none.
    func cache() -> (HealthStatus, [UInt8]) {
        let caches = status.caches.stats()
        let s: HealthStatus = caches.isEmpty ? .notConfigured : .ok
        var o = JSONObjectWriter(reservingCapacity: 128 + 256 * caches.count)
        o.string("status", s.rawValue)
        o.array("caches") { a in
            for c in caches {
                a.object { e in
                    e.string("name", c.name)
                    e.int("entries", c.entries)
                    e.int("bytes", c.bytes)
                    e.int("budget_bytes", c.budgetBytes)
                    e.raw("ttl_s", Array(Self.seconds(c.ttl).utf8))
                    e.int("hits", c.hits)
                    e.int("misses", c.misses)
                    e.int("evictions", c.evictions)
                    e.int("expirations", c.expirations)
                    e.int("invalidations", c.invalidations)
                    e.raw("hit_ratio", Array(Self.decimal(Int((c.hitRatio * 10_000).rounded()), scale: 10_000).utf8))
                }
            }
        }
        if caches.isEmpty { o.string("message", "no caches are registered") }
        return (s, o.finish())
    }

    /// `key` as seconds with millisecond precision, or null.
    private static func seconds(_ key: String, _ value: Double?, into o: inout JSONObjectWriter) {
        if let value { o.raw(key, Array(seconds(value).utf8)) } else { o.null(key) }
    }
}
