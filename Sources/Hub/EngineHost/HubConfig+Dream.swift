import Engines

extension HubConfig {
    /// The dream engine's settings from the `dream_*` options (the URL was checked when loaded).
    var dream: DreamConfig {
        var d = DreamConfig()
        d.corpusPath = dreamCorpus
        d.paceMs = dreamPaceMs
        d.maxTokens = dreamMaxTokens
        d.maxStreams = dreamMaxStreams
        d.maxStreamsPerUser = dreamMaxStreamsPerUser
        d.upstreamURL = dreamUpstreamURL.isEmpty ? nil : try? UpstreamURL(dreamUpstreamURL)
        d.upstreamKey = dreamUpstreamKey
        d.upstreamCAFile = dreamUpstreamCA
        d.upstreamModel = dreamUpstreamModel
        d.upstreamTimeout = dreamUpstreamTimeout
        return d
    }
}

extension ConfigValueParser {
    /// `dream_upstream_url`: empty, or an `http://` or `https://` URL.
    static func dreamUpstreamURL(_ text: String) throws(ConfigError) -> String {
        if text.isEmpty { return text }
        do {
            _ = try UpstreamURL(text)
        } catch {
            throw .badValue(value: text, expected: error.description)
        }
        return text
    }
}
