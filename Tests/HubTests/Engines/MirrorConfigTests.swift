import Engines
import Testing
@testable import Hub

/// The `mirror_*` options: parsed from flags, environment and file, checked, and handed to the engine.
@Suite struct MirrorConfigTests {
    static func serve(_ arguments: [String], environment: [String: String] = [:]) throws -> HubConfig {
        guard case .serve(let c) = try ConfigLoader.load(arguments: arguments, environment: environment,
                                                         readFile: { _ in [] }) else {
            throw V1Client.Failure.unexpected("not a serve command")
        }
        return c
    }

    @Test func optionsReachTheEngine() throws {
        let c = try Self.serve(["--mirror-alpha", "0.5", "--mirror-profile-interval=2", "--mirror-max-users", "7",
                                "--mirror-queue-size", "9", "--mirror-window-words", "11", "--mirror-max-text-chars", "13"],
                               environment: ["HUB_MIRROR_CACHE_TTL": "3"])
        #expect(c.mirrorAlpha == 0.5)
        #expect(c.mirrorCacheTTL == 3)
        let registry = EngineSetup.registry(config: c, store: nil)
        let engine = try #require(registry.engine(named: "mirror") as? MirrorEngine)
        #expect(engine.settings == MirrorSettings(alpha: 0.5, profileInterval: 2, maxUsers: 7, queueSize: 9,
                                                  windowWords: 11, maxTextChars: 13))
    }

    @Test(arguments: ["0", "1.5", "-0.1", "nan", "x"]) func alphaMustBeInZeroToOne(_ value: String) {
        #expect(throws: ConfigError.self) { try Self.serve(["--mirror-alpha", value]) }
    }

    @Test func withoutTheEngineThereIsNoPersonalityCache() {
        var c = HubConfig()
        c.engines = ["telepathy"]
        let caches = CacheRegistry()
        #expect(APIRoutes.personalityCache(config: c, engines: EngineSetup.registry(config: c, store: nil), caches: caches) == nil)
        #expect(caches.all.isEmpty)
    }
}
