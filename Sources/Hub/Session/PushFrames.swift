import Broadcast
import WSProtocol

/// Builds the frames of pushes: the JSON is written straight into the frame's own buffer, behind
/// room for the header, so a publication costs one allocation per loop however many
/// subscribers it has (ARCHITECTURE.md §2).
enum PushFrames {
    /// The text frame of a publication push.
    static func publication(_ p: Publication) -> OutboundBytes {
        let from = p.from.map { (client: $0.client, user: $0.user) }
        let size = ReplyEncoder.publicationSize(topic: p.topic, offset: Int(p.offset), dataCount: p.data.count, from: from,
                                                extra: p.extra)
        let header = WebSocketFrameEncoder.headerSize(payloadLength: size)
        return OutboundBytes(count: header + size) { dst in
            WebSocketFrameEncoder.writeHeader(to: dst.baseAddress!, opcode: .text, payloadLength: size)
            p.data.withUnsafeBytes { data in
                _ = ReplyEncoder.writePublication(topic: p.topic, offset: Int(p.offset), data: data, from: from,
                                                  extra: p.extra, to: dst.baseAddress! + header)
            }
        }
    }

    /// A history entry (a `history` result, the HTTP API's history): the push shape
    /// `{topic, offset, data}` plus the members an engine added (`Publication.extra`, e.g. a
    /// direct message's `message` and `from`).
    static func historyEntry(_ p: Publication) -> [UInt8] {
        p.data.withUnsafeBytes { ReplyEncoder.publication(topic: p.topic, offset: Int(p.offset), data: $0, extra: p.extra) }
    }

    /// The same push compressed (RSV1), from an uncompressed frame built by `publication`.
    static func compressed(_ plain: OutboundBytes, deflater: Deflater) -> OutboundBytes {
        // The payload starts after the header; its length decides the header's size.
        let payloadCount = plain.count - headerSize(of: plain)
        var out: [UInt8] = []
        out.reserveCapacity(payloadCount / 2 + 16)
        deflater.compressMessage(UnsafeRawBufferPointer(start: plain.base + (plain.count - payloadCount), count: payloadCount),
                                 noContextTakeover: true, into: &out)
        return Connection.frame(.text, out, rsv1: true)
    }

    /// The payload length of a frame built here (unmasked, so no key).
    static func payloadCount(_ frame: OutboundBytes) -> Int { frame.count - headerSize(of: frame) }

    private static func headerSize(of frame: OutboundBytes) -> Int {
        let len7 = frame.base.load(fromByteOffset: 1, as: UInt8.self) & 0x7F
        return len7 < 126 ? 2 : (len7 == 126 ? 4 : 10)
    }

    /// A presence event push.
    static func presence(_ e: PresenceEvent) -> OutboundBytes {
        let json = ReplyEncoder.presenceEvent(topic: e.topic, event: e.kind == .join ? .join : .leave,
                                              client: e.identity.client, user: e.identity.user)
        return Connection.frame(.text, json, rsv1: false)
    }
}
