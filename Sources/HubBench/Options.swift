import Glibc

/// What the bench does, from the command line.
enum Mode: String {
    case connect, echo, fanout, churn
}

struct UsageError: Error { let message: String }

struct Options {
    var mode: Mode = .fanout
    var smoke = false
    var host = "127.0.0.1"
    var port = 8080
    var connections = 100
    var duration = 5.0
    var threads = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) / 2)
    var sources = 0
    var token: String?
    var hubPid: Int?
    var inflight = 1
    var size = 64
    var topic = "public.bench"
    var publishers = 1
    var outstanding = 64
    var rate = 0.0
    var messages = 0
    var deflate = false
    var textFill = false
    var timeout = 10.0
    var connectConcurrency = 256
    var lifeMs = 500
    var gapMs = 100
    var progress = true

    static let usage = """
    usage: hub-bench MODE [options]        MODE: connect | echo | fanout | churn
           hub-bench --smoke [--url URL]   1,000-socket fan-out, loss check only (for CI)

    common:
      --url ws://127.0.0.1:PORT  the hub (127.x addresses only)             (default ws://127.0.0.1:8080)
      -c N                       connections (subscribers in fanout/churn)  (default 100)
      -d SECONDS                 run / hold time                            (default 5)
      -t N                       client threads, one epoll loop each        (default cores/2)
      --sources N                source addresses 127.0.0.1 … 127.0.0.N     (default 1 + sockets/20000)
      --connect-concurrency N    connects in progress per thread            (default 256)
      --deflate                  offer permessage-deflate; client_max_window_bits
      --timeout SECONDS          give up when nothing progresses this long  (default 10)
      --quiet                    no progress lines on stderr
    connect:  --token T (use /ws/auth?token=T)  --hub-pid PID (RSS before/after, bytes/connection)
    echo:     --inflight D (messages in flight per connection, default 1)  --size S (bytes, ≥ 32, default 64)
    fanout:   --topic T (default public.bench)  --publishers P (default 1)  --outstanding K (default 64)
              --rate R (publications/s in total; default: as fast as K allows)  --size S (data bytes)
              --messages M (publications in total; default: publish for -d seconds)
              --text-fill (pad the data with varied JSON-like text instead of x's: compresses like real messages)
    churn:    --topic T  --rate R (default 200/s)  --life-ms L (connected time, ±50 %, default 500)
              --gap-ms G (time disconnected, default 100)  -d SECONDS (churn time)

    Output: progress once a second on stderr; one line `hub-bench: mode=… key=value …` on stdout.
    Exit status: 0 ok, 1 integrity or connection failure, 2 usage error.
    """

    static func parse(_ args: [String]) throws(UsageError) -> Options {
        var o = Options()
        var i = 0
        var modeSet = false
        var rateSet = false
        func value(_ name: String) throws(UsageError) -> String {
            i += 1
            guard i < args.count else { throw UsageError(message: "\(name) needs a value") }
            return args[i]
        }
        func int(_ name: String) throws(UsageError) -> Int {
            let v = try value(name)
            guard let n = Int(String(v.filter { $0 != "_" })), n >= 0 else {
                throw UsageError(message: "\(name): not a non-negative integer: \(v)")
            }
            return n
        }
        func double(_ name: String) throws(UsageError) -> Double {
            let v = try value(name)
            guard let n = Double(v), n >= 0 else { throw UsageError(message: "\(name): not a non-negative number: \(v)") }
            return n
        }
        while i < args.count {
            let a = args[i]
            switch a {
            case "connect", "echo", "fanout", "churn":
                o.mode = Mode(rawValue: a)!
                modeSet = true
            case "--smoke": o.smoke = true
            case "--url": try o.setURL(try value(a))
            case "-c", "--connections": o.connections = try int(a)
            case "-d", "--duration": o.duration = try double(a)
            case "-t", "--threads": o.threads = max(1, try int(a))
            case "--sources": o.sources = try int(a)
            case "--token": o.token = try value(a)
            case "--hub-pid": o.hubPid = try int(a)
            case "--inflight": o.inflight = max(1, try int(a))
            case "--size": o.size = try int(a)
            case "--topic": o.topic = try value(a)
            case "--publishers": o.publishers = max(1, try int(a))
            case "--outstanding": o.outstanding = max(1, try int(a))
            case "--rate": o.rate = try double(a); rateSet = true
            case "--messages": o.messages = try int(a)
            case "--deflate": o.deflate = true
            case "--text-fill": o.textFill = true
            case "--timeout": o.timeout = try double(a)
            case "--connect-concurrency": o.connectConcurrency = max(1, try int(a))
            case "--life-ms": o.lifeMs = max(1, try int(a))
            case "--gap-ms": o.gapMs = try int(a)
            case "--quiet": o.progress = false
            case "-h", "--help": throw UsageError(message: "")
            default: throw UsageError(message: "unknown argument: \(a)")
            }
            i += 1
        }
        if o.smoke {
            o.mode = .fanout
            if !args.contains("-c") { o.connections = 1000 }
            if !args.contains("--publishers") { o.publishers = 2 }
            if !args.contains("--messages") { o.messages = 500 }
            if !args.contains("--outstanding") { o.outstanding = 16 }
        } else if !modeSet {
            throw UsageError(message: "no mode given")
        }
        if o.mode == .churn && !rateSet { o.rate = 200 }
        if o.mode == .echo && o.size < 32 { throw UsageError(message: "--size must be at least 32 in echo mode") }
        if o.sources == 0 { o.sources = 1 + (o.connections + o.publishers) / 20000 }
        if o.sources > 254 { throw UsageError(message: "--sources at most 254") }
        return o
    }

    /// `ws://HOST:PORT[/…]`; HOST must be a 127.x address or localhost (load goes to this machine only).
    mutating func setURL(_ url: String) throws(UsageError) {
        guard url.hasPrefix("ws://") else { throw UsageError(message: "--url must start with ws://") }
        var rest = url.dropFirst(5)
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        let parts = rest.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let p = Int(parts[1]), (1...65535).contains(p) else {
            throw UsageError(message: "--url needs ws://HOST:PORT")
        }
        var h = String(parts[0])
        if h == "localhost" { h = "127.0.0.1" }
        guard h.hasPrefix("127."), Sys.ipv4(h) != nil else {
            throw UsageError(message: "--url: only 127.x addresses are allowed (got \(h))")
        }
        host = h
        port = p
    }
}
