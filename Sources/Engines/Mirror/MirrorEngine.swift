import Broadcast
import Glibc
import Synchronization

/// The mirroring engine (docs/engines/mirror.md): reads what authenticated users publish on
/// namespaces with `mirror: true`, scores it with a lexicon-and-rules sentiment model (VADER's
/// lexicon, our rules), an arousal estimate, emotion keywords and style counts, keeps a rolling
/// profile per user, and publishes to `mirror.<user>`: a `feedback` push per message, and a
/// `profile` push with adaptation hints at most once per `profileInterval`.
///
/// Loop threads only enqueue (`observe`): a bounded stream drops what does not fit, counted.
/// One consumer task on the hub's executor analyses in publication order and publishes through
/// the engine's own bus port, so a user's pushes arrive in the order of their messages.
public final class MirrorEngine: Engine {
    /// The engine's name in commands, config and health.
    public let name = "mirror"
    /// It publishes into `mirror.<user>`.
    public var namespace: String? { "mirror" }
    /// `profile`: a user's rolling profile (`{"user": …}`, default the caller).
    public let actions: Set<String> = ["profile"]
    /// Weights and limits (config `mirror_*`).
    public let settings: MirrorSettings

    private let analyser: MirrorAnalyser
    private let queue: AsyncStream<Publication>.Continuation
    private let stream: AsyncStream<Publication>
    private let table: Mutex<MirrorUserTable>
    private let context = Mutex<EngineContext?>(nil)
    private let lastError = Mutex<String?>(nil)
    private let enqueued = Atomic<Int>(0)
    private let dequeued = Atomic<Int>(0)
    private let processed = Atomic<Int>(0)
    private let skipped = Atomic<Int>(0)
    private let ignored = Atomic<Int>(0)
    private let dropped = Atomic<Int>(0)
    private let lastDropNs = Atomic<UInt64>(0)
    private let profilePushes = Atomic<Int>(0)
    private let feedbackPushes = Atomic<Int>(0)

    /// How long after a drop health stays `degraded`, in ns.
    static let degradedAfterDropNs: UInt64 = 60_000_000_000

    /// An engine with an empty profile table; nothing is analysed until `start`.
    public init(settings: MirrorSettings = MirrorSettings(), lexicon: MirrorLexicon = .shared) {
        self.settings = settings
        analyser = MirrorAnalyser(lexicon: lexicon)
        (stream, queue) = AsyncStream<Publication>.makeStream(bufferingPolicy: .bufferingOldest(max(1, settings.queueSize)))
        table = Mutex(MirrorUserTable(maxUsers: max(1, settings.maxUsers), windowWords: max(1, settings.windowWords)))
    }

    /// Starts the consumer task and the `mirror_profile_flush` task.
    public func start(_ context: EngineContext) async throws {
        self.context.withLock { $0 = context }
        let engine = self, stream = self.stream
        Task.onHub {
            for await p in stream { engine.process(p) }
        }
        context.schedule("mirror_profile_flush", every: max(0.05, settings.profileInterval / 2)) { engine.flushDue() }
    }

    /// Ends the queue: the consumer finishes what it holds, later publications are not taken.
    public func stop() async {
        queue.finish()
    }

    /// Namespaces with `mirror: true`.
    public func observes(_ rules: NamespaceRules) -> Bool { rules.mirror }

    /// Enqueues an authenticated user's publication (loop thread: never waits).
    public func observe(_ publication: Publication) {
        guard let user = publication.from?.user, !user.isEmpty else {
            ignored.add(1, ordering: .relaxed)
            return
        }
        switch queue.yield(publication) {
        case .enqueued: enqueued.add(1, ordering: .relaxed)
        case .dropped:
            dropped.add(1, ordering: .relaxed)
            lastDropNs.store(Bus.monotonicNs(), ordering: .relaxed)
        case .terminated: break
        @unknown default: break
        }
    }

    /// The `profile` action: own profile for users, anyone's for operators.
    /// - Throws: `EngineError` `bad_request` (no user), `forbidden`, `not_found`.
    public func handle(_ call: EngineCall) async throws -> EngineReply {
        switch call.action {
        case "profile":
            let asked = call.args.flatMap { MirrorJSON.string(member: "user", in: $0) }
            guard let user = asked ?? call.caller.user, !user.isEmpty else {
                throw EngineError(.badRequest, #"profile needs args {"user": …}"#)
            }
            guard call.caller.isAdmin || call.caller.user == user else {
                throw EngineError(.forbidden, "only the user themself or an operator may read a profile")
            }
            guard let p = table.withLock({ $0.profile(user) }) else {
                throw EngineError(.notFound, "no profile for user \"\(user)\"")
            }
            return EngineReply(json: MirrorEncoding.profile(p, user: user, alpha: settings.alpha))
        default:
            throw EngineError(.badRequest, "unknown action \"\(call.action)\"")
        }
    }

    /// Counters and table size for `/health/ai`; `degraded` for a minute after a drop.
    public func health() -> EngineHealth {
        let (users, pending, evicted) = table.withLock { ($0.count, $0.pending, $0.evictions) }
        let drop = lastDropNs.load(ordering: .relaxed)
        let recentDrop = drop != 0 && Bus.monotonicNs() &- drop < Self.degradedAfterDropNs
        let waiting = enqueued.load(ordering: .relaxed) - dequeued.load(ordering: .relaxed)
        return EngineHealth(
            status: recentDrop ? .degraded : .ok,
            processed: processed.load(ordering: .relaxed),
            lastError: lastError.withLock { $0 },
            details: [
                ("users", .int(users)),
                ("max_users", .int(settings.maxUsers)),
                ("evicted", .int(evicted)),
                ("queued", .int(max(0, waiting))),
                ("queue_size", .int(settings.queueSize)),
                ("skipped", .int(skipped.load(ordering: .relaxed))),
                ("ignored", .int(ignored.load(ordering: .relaxed))),
                ("dropped", .int(dropped.load(ordering: .relaxed))),
                ("feedback_pushes", .int(feedbackPushes.load(ordering: .relaxed))),
                ("profile_pushes", .int(profilePushes.load(ordering: .relaxed))),
                ("profiles_pending", .int(pending)),
            ])
    }

    // MARK: - Work (the consumer task)

    /// Analyses one publication and publishes what it found.
    func process(_ p: Publication) {
        dequeued.add(1, ordering: .relaxed)
        guard let user = p.from?.user else { return }
        guard var text = MirrorJSON.text(ofData: p.data) else {
            skipped.add(1, ordering: .relaxed)
            return
        }
        if text.count > settings.maxTextChars { text = String(text.prefix(settings.maxTextChars)) }
        var analysis = analyser.analyse(text)
        let now = Bus.monotonicNs(), wall = Self.unixMs(), alpha = settings.alpha, interval = intervalNs
        let (profile, pushNow) = table.withLock {
            $0.record(user, &analysis, messageNs: p.timeNs, atMs: wall, nowNs: now, alpha: alpha, intervalNs: interval)
        }
        let topic = "mirror." + user
        publish(topic, MirrorEncoding.feedback(analysis, topic: p.topic, offset: p.offset))
        feedbackPushes.add(1, ordering: .relaxed)
        if pushNow { pushProfile(user, profile) }
        processed.add(1, ordering: .relaxed)
    }

    /// Pushes the coalesced profiles whose interval has passed (the `mirror_profile_flush` task).
    func flushDue() {
        let now = Bus.monotonicNs(), interval = intervalNs
        for (user, profile) in table.withLock({ $0.due(nowNs: now, intervalNs: interval) }) { pushProfile(user, profile) }
    }

    /// Wall-clock milliseconds since 1970 (the profile's `updated_ms`; the bus's clock is monotonic).
    static func unixMs() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UInt64(ts.tv_sec) * 1000 + UInt64(ts.tv_nsec) / 1_000_000
    }

    private var intervalNs: UInt64 { UInt64(max(0, settings.profileInterval) * 1e9) }

    private func pushProfile(_ user: String, _ profile: MirrorProfile) {
        publish("mirror." + user, MirrorEncoding.profile(profile, user: user, alpha: settings.alpha))
        profilePushes.add(1, ordering: .relaxed)
    }

    private func publish(_ topic: String, _ data: [UInt8]) {
        guard let port = context.withLock({ $0?.port }) else { return }
        guard TopicName.isValid(topic) else {
            return record("cannot publish to \(topic.prefix(140)): the user id is not valid in a topic name")
        }
        let engine = self
        port.publish(topic: topic, data: data, from: nil) { result in
            if case .failure(let e) = result { engine.record("publish to \(topic) failed: \(e)") }
        }
    }

    private func record(_ error: String) {
        lastError.withLock { $0 = error }
    }
}
