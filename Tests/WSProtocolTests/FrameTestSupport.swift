@testable import WSProtocol

/// A reader event in comparable form.
enum Got: Equatable, CustomStringConvertible {
    case text([UInt8]), binary([UInt8]), ping([UInt8]), pong([UInt8]), close(UInt16?, String), failed(WebSocketError)

    var description: String {
        switch self {
        case .text(let b): return "text(\(b.count))"
        case .binary(let b): return "binary(\(b.count))"
        case .ping(let b): return "ping(\(b.count))"
        case .pong(let b): return "pong(\(b.count))"
        case .close(let c, let r): return "close(\(c.map(String.init) ?? "nil"), \(r))"
        case .failed(let e): return "failed(\(e))"
        }
    }
}

/// Feeds `bytes` to a fresh reader in the chunks given by `cuts` (ascending split positions) and
/// collects every event, stopping at the first failure.
func readAll(_ bytes: [UInt8], cuts: [Int] = [], options: WebSocketMessageReader.Options = .init()) -> [Got] {
    var reader = WebSocketMessageReader(options: options)
    var out: [Got] = []
    var buffer = bytes
    var bounds = [0] + cuts + [bytes.count]
    bounds = bounds.filter { $0 >= 0 && $0 <= bytes.count }
    buffer.withUnsafeMutableBytes { raw in
        for i in 0..<(bounds.count - 1) {
            var input = UnsafeMutableRawBufferPointer(rebasing: raw[bounds[i]..<bounds[i + 1]])
            loop: while true {
                switch reader.next(&input) {
                case .needMore: break loop
                case .text(let b): out.append(.text(b))
                case .binary(let b): out.append(.binary(b))
                case .ping(let b): out.append(.ping(b))
                case .pong(let b): out.append(.pong(b))
                case .close(let c, let r): out.append(.close(c, r))
                case .failed(let e): out.append(.failed(e)); return
                }
            }
        }
    }
    return out
}

/// A masked client frame.
func clientFrame(_ op: WebSocketOpcode, _ payload: [UInt8], fin: Bool = true, rsv1: Bool = false,
                 key: UInt32 = 0x3D21_FA37) -> [UInt8] {
    WebSocketFrameEncoder.frame(op, payload: payload, fin: fin, rsv1: rsv1, maskKey: key)
}

/// Random ascending cut points for a buffer of `count` bytes.
func randomCuts(_ count: Int, _ rng: inout SeededRandom) -> [Int] {
    guard count > 1 else { return [] }
    let n = Int.random(in: 0...min(count - 1, 12), using: &rng)
    return Array(Set((0..<n).map { _ in Int.random(in: 1..<count, using: &rng) })).sorted()
}
