import Engines
import Testing
@testable import Hub

/// The `dream_*` options: parsing, the https refusal, the secret key, and the engine they build.
@Suite struct DreamConfigTests {
    static func load(_ arguments: [String], environment: [String: String] = [:]) throws -> HubConfig {
        let command = try ConfigLoader.load(arguments: arguments, environment: environment,
                                            readFile: { _ in throw ConfigLoader.FileReadError(errno: 2) })
        guard case .serve(let config) = command else { throw V1Client.Failure.unexpected("\(command)") }
        return config
    }

    @Test func optionsFillTheDreamConfig() throws {
        let c = try Self.load(["--dream-upstream-url", "http://127.0.0.1:8000/v1", "--dream-upstream-timeout", "2.5",
                               "--dream-pace-ms", "20", "--dream-max-tokens", "300", "--dream-max-streams", "8",
                               "--dream-max-streams-per-user", "2", "--dream-upstream-model", "local",
                               "--dream-upstream-ca", "/etc/ssl/certs/ca-certificates.crt"],
                              environment: ["HUB_DREAM_UPSTREAM_KEY": "sk-secret"])
        let d = c.dream
        #expect(d.upstreamURL == (try UpstreamURL("http://127.0.0.1:8000/v1/chat/completions")))
        #expect(d.upstreamKey == "sk-secret" && d.upstreamModel == "local" && d.upstreamTimeout == 2.5)
        #expect(d.upstreamCAFile == "/etc/ssl/certs/ca-certificates.crt")
        #expect(d.paceMs == 20 && d.maxTokens == 300 && d.maxStreams == 8 && d.maxStreamsPerUser == 2)
        #expect(HubConfig().dream.upstreamURL == nil)
    }

    @Test func badURLsAreRefusedWithTheReason() throws {
        #expect(try Self.load(["--dream-upstream-url", "https://api.example.com/v1"]).dream.upstreamURL?.isTLS == true)
        for bad in ["ftp://x", "http://user:pw@host", "http://h:99999"] {
            #expect(throws: ConfigError.self) { try Self.load(["--dream-upstream-url", bad]) }
            do {
                _ = try Self.load(["--dream-upstream-url", bad])
            } catch {
                #expect("\(error)".contains("expected an http"), "\(error)")
            }
        }
    }

    @Test func theKeyIsASecret() {
        #expect(ConfigOptions.secretKeys.contains("dream_upstream_key"))
        #expect(ConfigOptions.shown("sk-secret", key: "dream_upstream_key") == "(hidden)")
    }

    @Test func theDefaultConfigBuildsTheDreamEngine() {
        let registry = EngineSetup.registry(config: HubConfig(), store: nil)
        #expect(registry.engine(named: "dream") is DreamEngine)
        var off = HubConfig()
        off.engines = ["mirror"]
        #expect(EngineSetup.registry(config: off, store: nil).engine(named: "dream") == nil)
    }
}
