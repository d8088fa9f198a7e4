import Testing
@testable import Hub

/// `StoreTokenVerifier` over a real store: verdicts are cached by digest, the cache never
/// outlives a revocation once the stamp is read, failures are kept briefly, store errors never,
/// and a failing store trips the `sqlite` breaker.
@Suite struct VerifierCacheTests {
    struct Fixture {
        let dir = TestDirectory()
        let store: Store
        let clock = ManualClock()
        let verifier: StoreTokenVerifier

        init() async throws {
            let path = dir.path
            store = try await blocking { try Store.open(dataDir: path) }
            verifier = StoreTokenVerifier(
                store: store, jwtSecret: nil, leeway: 0,
                cache: LRUCache(name: "token_verification", budgetBytes: StoreTokenVerifier.cacheBudget,
                                ttl: StoreTokenVerifier.cacheTTL, clock: clock.now))
        }

        /// Revokes like `hub token revoke` does: through a second connection to the file.
        func revokeFromAnotherConnection(_ id: String) async throws {
            let path = dir.path
            let n = try await blocking { try TokenStore.open(dataDir: path).revoke(secretOrID: id) }
            #expect(n == 1)
        }
    }

    @Test func verdictsAreCachedByTheTokensDigest() async throws {
        let f = try await Fixture()
        let (info, secret) = try await f.store.createToken(user: "alice", kind: .user)
        guard case .success(let a) = await f.verifier.verify(secret) else { Issue.record("not valid"); return }
        #expect(a.user == "alice" && a.tokenID == info.id)
        #expect(await f.verifier.verify(secret) == .success(a))
        let s = f.verifier.cache.stats()
        #expect(s.misses == 1 && s.hits == 1 && s.entries == 1 && s.bytes > 0)
        #expect(f.verifier.cache.keysByRecency == [Crypto.sha256(secret.utf8)], "the key is the digest, never the token")
    }

    @Test func aRevocationIsSeenAsSoonAsTheStampIsRead() async throws {
        let f = try await Fixture()
        _ = await f.verifier.revocationStamp()  // the watch's first poll: empties the cache too
        #expect(f.verifier.cache.stats().invalidations == 1)
        let (info, secret) = try await f.store.createToken(user: "bob", kind: .user)
        guard case .success = await f.verifier.verify(secret) else { Issue.record("not valid"); return }
        try await f.revokeFromAnotherConnection(info.id)
        // Until the watch polls, the cached verdict stands (at most one poll interval, 0.5 s);
        // the live connections it admitted are re-checked after that poll.
        guard case .success = await f.verifier.verify(secret) else { Issue.record("cache not used"); return }
        #expect(await f.verifier.revocationStamp() == 1)
        #expect(f.verifier.cache.stats().entries == 0 && f.verifier.cache.stats().invalidations == 2)
        #expect(await f.verifier.verify(secret) == .failure(AuthFailure(reason: "token revoked")))
        // The same stamp again invalidates nothing.
        #expect(await f.verifier.revocationStamp() == 1)
        #expect(f.verifier.cache.stats().invalidations == 2)
    }

    @Test func failuresAreKeptForAtMostTheFailureTTL() async throws {
        let f = try await Fixture()
        let unknown = "hub_" + String(repeating: "x", count: 43)
        #expect(await f.verifier.verify(unknown) == .failure(AuthFailure(reason: "unknown token")))
        #expect(await f.verifier.verify(unknown) == .failure(AuthFailure(reason: "unknown token")))
        #expect(f.verifier.cache.stats().hits == 1)
        f.clock.advance(StoreTokenVerifier.failureTTL)
        _ = await f.verifier.verify(unknown)
        #expect(f.verifier.cache.stats().misses == 2, "a refusal outlived failureTTL")
        #expect(StoreTokenVerifier.failureTTL <= StoreTokenVerifier.cacheTTL)
    }

    @Test func aValidVerdictLastsTheTTLAndNeverPastTheTokensExpiry() async throws {
        let f = try await Fixture()
        let (_, forever) = try await f.store.createToken(user: "carol", kind: .user)
        let (_, brief) = try await f.store.createToken(user: "dave", kind: .user, ttl: 2)
        _ = await f.verifier.verify(forever)
        _ = await f.verifier.verify(brief)
        f.clock.advance(2)
        _ = await f.verifier.verify(brief)  // expired from the cache: back to the store
        _ = await f.verifier.verify(forever)  // still cached
        var s = f.verifier.cache.stats()
        #expect(s.misses == 3 && s.hits == 1, "\(s)")
        f.clock.advance(StoreTokenVerifier.cacheTTL - 2)
        _ = await f.verifier.verify(forever)
        s = f.verifier.cache.stats()
        #expect(s.misses == 4, "a valid verdict outlived cacheTTL: \(s)")
    }

    @Test func junkIsRefusedWithoutTheStoreAndNotCached() async throws {
        let f = try await Fixture()
        #expect(await f.verifier.verify("not-a-token") == .failure(AuthFailure(reason: "unknown token")))
        let s = f.verifier.cache.stats()
        #expect(s.entries == 0 && s.misses == 0)
        #expect(f.verifier.breaker.snapshot().successes == 0)
    }

    @Test func aFailingStoreOpensTheBreakerAndFailsFast() async throws {
        let f = try await Fixture()
        let (_, secret) = try await f.store.createToken(user: "erin", kind: .user)
        _ = await f.verifier.revocationStamp()
        try await f.store.withTokenStore { (t: TokenStore) throws(StoreError) in try t.database.execute("DROP TABLE tokens") }
        let threshold = StoreTokenVerifier.breakerConfiguration.failureThreshold
        for _ in 0..<threshold {
            #expect(await f.verifier.verify(secret) == .failure(AuthFailure(reason: "token store unavailable")))
        }
        let b = f.verifier.breaker.snapshot()
        #expect(b.name == "sqlite" && b.state == .open && b.failures == threshold)
        #expect(b.lastError?.contains("no such table: tokens") == true, "\(b.lastError ?? "none")")
        // Open: refused without a store hop, with the same answer.
        #expect(await f.verifier.verify(secret) == .failure(AuthFailure(reason: "token store unavailable")))
        #expect(f.verifier.breaker.snapshot().rejections == 1)
        #expect(f.verifier.cache.stats().entries == 0, "a store error was cached")
        // While the store cannot answer, the stamp stays where it was: no false revocation.
        #expect(await f.verifier.revocationStamp() == 0)
        #expect(f.verifier.cache.stats().invalidations == 1, "only the first reading emptied the cache")
    }
}
