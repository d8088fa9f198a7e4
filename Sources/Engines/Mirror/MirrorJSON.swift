/// What the mirroring engine reads of a publication's `data` (the hub validated it already).
public enum MirrorJSON {
    /// The analysed text of a publication's `data`: `data` when it is a string, else `data.text`
    /// when that is a string; nil otherwise.
    public static func text(ofData bytes: [UInt8]) -> String? {
        EngineJSON.topLevelString(bytes) ?? string(member: "text", in: bytes)
    }

    /// The string member `key` of a top-level object, nil when absent or not a string.
    public static func string(member key: String, in bytes: [UInt8]) -> String? {
        EngineJSON.members(bytes)?[key].flatMap(EngineJSON.string)
    }
}
