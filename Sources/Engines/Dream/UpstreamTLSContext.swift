import COpenSSL

/// The OpenSSL client context of an `https://` upstream: TLS 1.2 or later, the peer's
/// certificate verified against the system's CA store (or `dream_upstream_ca`), made once per
/// engine and shared by its connections.
///
/// `@unchecked Sendable`: an `SSL_CTX` may be used from many threads at once as long as nobody
/// changes it (OpenSSL's threading rules); it is configured here, in `init`, and only read after.
final class UpstreamTLSContext: @unchecked Sendable {
    let ctx: OpaquePointer

    /// - Parameter caFile: a PEM file of trusted certificates; empty: the system's default paths.
    /// - Throws: `UpstreamError.tls` when OpenSSL refuses (an unreadable CA file).
    init(caFile: String) throws(UpstreamError) {
        guard let ctx = SSL_CTX_new(TLS_client_method()) else { throw .tls(UpstreamTLSContext.lastError()) }
        _ = hub_SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION)
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nil)
        let loaded = caFile.isEmpty ? SSL_CTX_set_default_verify_paths(ctx) : SSL_CTX_load_verify_locations(ctx, caFile, nil)
        guard loaded == 1 else {
            let why = UpstreamTLSContext.lastError()
            SSL_CTX_free(ctx)
            throw .tls(caFile.isEmpty ? "no default CA store: \(why)" : "cannot load CA file \(caFile): \(why)")
        }
        self.ctx = ctx
    }

    deinit { SSL_CTX_free(ctx) }

    /// The oldest error on this thread's OpenSSL queue, as text (the queue is cleared).
    static func lastError() -> String {
        let code = ERR_get_error()
        ERR_clear_error()
        guard code != 0 else { return "unknown TLS error" }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
