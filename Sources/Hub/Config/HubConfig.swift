import Broadcast
import Foundation

/// Every setting of the hub daemon, each with its documented default; every limit lives here.
///
/// Filled by `ConfigLoader` from defaults, a JSON file, `HUB_*` variables and flags, in that
/// order. `ConfigOptions.all` describes how each field is named, parsed and shown in `--help`.
/// Durations are seconds as `Double`; sizes are bytes.
struct HubConfig: Sendable, Equatable {
    // MARK: Listening

    /// Address to listen on. Default `127.0.0.1`: only local clients until an operator opts in.
    var host: String = "127.0.0.1"
    /// TCP port; `0` asks the kernel for a free one (tests run in parallel). Default `8080`.
    var port: Int = 8080
    /// Directory for the token store and engine data. Default `./data`.
    var dataDir: String = "./data"
    /// Event-loop threads. Default: the number of active cores, at least 1, at most 256.
    var loops: Int = HubConfig.defaultLoops
    /// Lowest log level written. Default `.info`.
    var logLevel: LogLevel = .info
    /// Whether `GET /echo` (the conformance endpoint echoing every message) is served. Default on.
    var echo: Bool = true

    // MARK: Timeouts (seconds)

    /// Time allowed from accept to a complete upgrade request before the socket is dropped.
    /// Default 10.
    var handshakeTimeout: Double = 10
    /// How often the hub pings a client; keep it below `idleTimeout` or quiet but healthy
    /// clients are closed before their pong can arrive. Default 25.
    var pingInterval: Double = 25
    /// A client that sends no frame at all (not even a pong) for this long is closed. Default 60.
    var idleTimeout: Double = 60
    /// After the hub sends a close frame, how long it waits for the peer's close (RFC 6455 §7.1.1)
    /// before dropping the TCP connection. Default 5.
    var closeTimeout: Double = 5
    /// On SIGTERM/SIGINT, how long connections get to close (1001) before the hub exits anyway.
    /// Default 10.
    var drainTimeout: Double = 10

    // MARK: Limits (bytes unless named otherwise)

    /// Largest HTTP request head (request line plus headers); larger gets 431. Default 8192.
    var maxHeadBytes: Int = 8192
    /// Most header fields in a request head. Default 100.
    var maxHeaders: Int = 100
    /// Largest reassembled message on the `/ws*` endpoints; larger closes with 1009. Default 1 MiB.
    var maxMessageBytes: Int = 1_048_576
    /// Largest message on `/echo`, where conformance suites send big payloads. Default 16 MiB.
    var echoMaxMessageBytes: Int = 16_777_216
    /// Most fragments in one message on `/ws*` (a defence against tiny-fragment floods); `/echo`
    /// is unlimited. Default 1024.
    var maxFragments: Int = 1024
    /// Outbound bytes queued per connection before it is closed as a slow consumer (4408).
    /// Default 1 MiB.
    var maxOutboundBytes: Int = 1_048_576
    /// Most concurrent connections; `0` means as many as the file-descriptor limit allows.
    /// Default 0.
    var maxConnections: Int = 0

    // MARK: WebSocket extensions and subprotocols

    /// Whether `permessage-deflate` (RFC 7692) is negotiated when a client offers it. Default on.
    var deflate: Bool = true
    /// Messages shorter than this are sent uncompressed: deflate costs more than it saves on them.
    /// `0` compresses everything. Default 128.
    var deflateThreshold: Int = 128
    /// The `client_max_window_bits` the hub asks for (RFC 7692 §7.1.2.2), 8...15, trading client
    /// memory for ratio; `nil` leaves the client's default. Default `nil`.
    var deflateClientMaxWindowBits: Int? = nil
    /// Subprotocols the hub selects when offered (`Sec-WebSocket-Protocol`), in preference order.
    /// Default `["hub.v1"]`.
    var subprotocols: [String] = ["hub.v1"]

    // Protocol v1 (`/ws`).

    /// Serve `/ws` to anonymous clients.
    var anonymous: Bool = true
    /// This node's name in welcome pushes; empty: `hub-` and a random suffix chosen at start.
    var node: String = ""
    /// Largest command (a text message on `/ws*`); larger ones get a `too_large` error reply.
    var maxCommandBytes: Int = 65_536
    /// Most topics one connection may be subscribed to.
    var maxTopics: Int = 128
    /// Commands per second per connection (token bucket rate).
    var rateLimit: Double = 5000
    /// Token bucket size: a burst of this many commands is allowed.
    var rateBurst: Int = 10_000
    /// Rate-limited commands in a row after which the connection is closed with 4429.
    var rateLimitStrikes: Int = 1000
    /// The HS256 secret for JWTs (`HUB_JWT_SECRET`); empty: JWTs are refused, only stored tokens work.
    var jwtSecret: String = ""
    /// Clock skew allowed on a JWT's `exp` and `nbf`, in seconds.
    var jwtLeeway: Double = 30
    /// Seconds between `admin.metrics` snapshots on `/ws/admin`.
    var adminInterval: Double = 1
    /// Time a client of `/ws/auth` or `/ws/admin` has to present a token (then close 4401).
    var authTimeout: Double = 5
    /// The namespaces and their rules (who may subscribe/publish, history, presence).
    var namespaces: Namespaces = .standard
    /// Bearer keys accepted by `POST /api/v1/publish` (until the identity issue moves keys to SQLite).
    var apiKeys: [String] = []
    /// Origins allowed to open the browser endpoints (`/ws`, `/ws/auth`, `/ws/admin`): full origins
    /// (`https://app.example.com`), bare `host[:port]`, or `*`. Empty: same host only (the Origin's
    /// host[:port] must equal the Host header). Requests without an Origin (non-browsers) pass.
    var allowedOrigins: [String] = []
    /// Failed token checks per remote IP per minute before that IP's `/ws/auth`, `/ws/admin` and
    /// `/api/v1/*` requests get 429 for the rest of the minute; `0` disables the limit. Default 20.
    var authFailuresPerMinute: Int = 20
    /// Milliseconds a loop may hold fan-out pushes to gather several into one `writev` per
    /// subscriber; 0 writes each loop turn's pushes at its end. Replies are never held.
    var pushCoalesceMs: Int = 0
    /// The engines to run (ENGINES.md); the others are reported as disabled at `/health/ai`.
    var engines: [String] = HubConfig.knownEngines
    /// Seconds one engine call may take before it fails and counts against the engine's breaker.
    var engineTimeout: Double = 10
    /// Seconds a direct message stays in the telepathy mailbox, acked or not. Default 7 days.
    var telepathyExpiry: Double = 604_800
    /// Unacked direct messages one recipient may have before `send` to them is refused. Default 10,000.
    var telepathyMaxPending: Int = 10_000

    // Mirroring engine (docs/engines/mirror.md).

    /// Weight of a user's newest message in their rolling profile, 0 < α ≤ 1. Default 0.2.
    var mirrorAlpha: Double = 0.2
    /// Least seconds between two profile pushes to one user; updates in between are coalesced
    /// and the latest is pushed when the interval has passed. Default 0.5.
    var mirrorProfileInterval: Double = 0.5
    /// Most users with a profile; the least recently active goes first. Default 10,000.
    var mirrorMaxUsers: Int = 10_000
    /// Publications waiting for analysis; beyond it new ones are dropped (counted at
    /// `/health/ai`). Default 1,024.
    var mirrorQueueSize: Int = 1024
    /// Words per user in the vocabulary (type/token ratio) window. Default 100.
    var mirrorWindowWords: Int = 100
    /// Longest text analysed, in characters (the rest is ignored). Default 4,096.
    var mirrorMaxTextChars: Int = 4096
    /// Seconds a `GET /api/v1/personality/{user}` answer is served from the `personality`
    /// cache. Default 1.
    var mirrorCacheTTL: Double = 1
    /// Byte budget of the `personality` cache. Default 1 MiB.
    var mirrorCacheBytes: Int = 1_048_576

    // The dream engine (docs/engines/dream.md); turned into a `DreamConfig` by `HubConfig+Dream`.
    /// An OpenAI-compatible server (`http(s)://host:port[/v1]`); empty: the Markov generator only.
    var dreamUpstreamURL: String = ""
    /// Its bearer key (a secret: never shown in errors or logs).
    var dreamUpstreamKey: String = ""
    /// Trusted certificates (PEM) for an `https://` upstream; empty: the system's CA store.
    var dreamUpstreamCA: String = ""
    /// The `model` sent upstream.
    var dreamUpstreamModel: String = "gpt-4o-mini"
    /// Seconds the upstream may take to its first token (and may stay silent after); keep it
    /// under `engineTimeout`.
    var dreamUpstreamTimeout: Double = 5
    /// Milliseconds between two tokens when a start does not say.
    var dreamPaceMs: Int = 50
    /// Most tokens one stream may ask for (999: a whole stream and its done push fit in the
    /// `dream` namespace's history of 1,000).
    var dreamMaxTokens: Int = 999
    /// Most dream streams running at once (all users), and per user.
    var dreamMaxStreams: Int = 32
    var dreamMaxStreamsPerUser: Int = 4
    /// The Markov generator's training text; empty: the corpus shipped with the hub.
    var dreamCorpus: String = ""

    /// Every engine this build has, in the order health reports them.
    static let knownEngines = ["mirror", "telepathy", "dream"]

    /// The default for `loops`: one event loop per active core, clamped to 1...256.
    static var defaultLoops: Int {
        min(max(ProcessInfo.processInfo.activeProcessorCount, 1), 256)
    }
}
