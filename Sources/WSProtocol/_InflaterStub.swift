// TEMPORARY: replaced by the zlib branch's Inflater.
public enum InflateError: Error, Equatable, Sendable { case tooBig; case corrupt }
public final class Inflater {
    public init(windowBits: Int = 15) {}
    public func inflate(_ input: UnsafeRawBufferPointer, into output: inout [UInt8], limit: Int) throws(InflateError) { throw .corrupt }
    public func finishMessage(into output: inout [UInt8], limit: Int, noContextTakeover: Bool) throws(InflateError) { throw .corrupt }
    public func reset() {}
}
