/// `/health/database` and `/ready`: the store answers a read and takes a write (a transaction
/// that is rolled back), so a full disk or a read-only file shows as `down`.
struct StoreHealthCheck: HealthCheck {
    let store: Store

    func check() async -> HealthCheckResult {
        do {
            let stamp = try await store.withTokenStore { tokens throws(StoreError) in try tokens.writeProbe() }
            return HealthCheckResult(status: .ok, details: ["file": store.path, "revocation_stamp": String(stamp)])
        } catch {
            return HealthCheckResult(status: .down, message: "\(error)", details: ["file": store.path])
        }
    }
}
