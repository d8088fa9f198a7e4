import COpenSSL
import Glibc

/// The byte pipe of one upstream exchange: the non-blocking TCP socket itself (`http://`), or
/// TLS over it (`https://`, OpenSSL, with SNI and host-name or IP verification). Owned by the
/// exchange's thread alone; it never closes the descriptor (the connection does, under its lock).
final class UpstreamTransport {
    /// What one `read` got.
    enum Read {
        case data(Int)
        case eof
        case timedOut
        case failed(UpstreamError)
    }

    let fd: Int32
    private let ssl: OpaquePointer?

    /// The socket as it is.
    init(plain fd: Int32) {
        self.fd = fd
        ssl = nil
    }

    /// TLS over `fd`: the handshake, with `host` verified, within `timeoutMs` per wait.
    init(tls fd: Int32, host: String, context: UpstreamTLSContext, timeoutMs: Int32) throws(UpstreamError) {
        self.fd = fd
        ERR_clear_error()
        guard let ssl = SSL_new(context.ctx) else { throw .tls(UpstreamTLSContext.lastError()) }
        self.ssl = ssl
        SSL_set_fd(ssl, fd)
        var address = in6_addr()
        let isIP = inet_pton(AF_INET, host, &address) == 1 || inet_pton(AF_INET6, host, &address) == 1
        if isIP {
            X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host)
        } else {
            _ = hub_SSL_set_tlsext_host_name(ssl, host)
            SSL_set1_host(ssl, host)
        }
        while true {
            ERR_clear_error()
            let rc = SSL_connect(ssl)
            if rc == 1 { return }
            let err = SSL_get_error(ssl, rc)
            if err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE {
                if !Self.wait(fd, err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, timeoutMs) { throw .timedOut(Double(timeoutMs) / 1000) }
                continue
            }
            let verify = SSL_get_verify_result(ssl)
            if verify != X509_V_OK {
                throw .tls("certificate verify failed: " + String(cString: X509_verify_cert_error_string(verify)))
            }
            throw .tls("handshake failed: " + UpstreamTLSContext.lastError())
        }
    }

    deinit { if let ssl { SSL_free(ssl) } }

    /// Sends every byte, waiting up to `timeoutMs` whenever the socket is full.
    func write(_ bytes: [UInt8], timeoutMs: Int32) -> UpstreamError? {
        var sent = 0
        while sent < bytes.count {
            if let ssl {
                ERR_clear_error()
                let n = bytes.withUnsafeBytes { SSL_write(ssl, $0.baseAddress! + sent, Int32($0.count - sent)) }
                if n > 0 {
                    sent += Int(n)
                    continue
                }
                let err = SSL_get_error(ssl, n)
                guard err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE else {
                    return .tls("write failed: " + UpstreamTLSContext.lastError())
                }
                if !Self.wait(fd, err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, timeoutMs) { return .timedOut(Double(timeoutMs) / 1000) }
            } else {
                let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
                if n > 0 {
                    sent += n
                    continue
                }
                if n < 0 && errno == EINTR { continue }
                guard n < 0 && errno == EAGAIN else { return .io(String(cString: strerror(errno))) }
                if !Self.wait(fd, POLLOUT, timeoutMs) { return .timedOut(Double(timeoutMs) / 1000) }
            }
        }
        return nil
    }

    /// Reads what is there, waiting up to `timeoutMs` for something to come.
    func read(into buffer: inout [UInt8], timeoutMs: Int32) -> Read {
        while true {
            if let ssl {
                // Bytes OpenSSL already decrypted do not show on the socket: read them first.
                if SSL_pending(ssl) == 0 && !Self.wait(fd, POLLIN, timeoutMs) { return .timedOut }
                ERR_clear_error()
                let n = buffer.withUnsafeMutableBytes { SSL_read(ssl, $0.baseAddress, Int32($0.count)) }
                if n > 0 { return .data(Int(n)) }
                let err = SSL_get_error(ssl, n)
                switch err {
                case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE: continue
                case SSL_ERROR_ZERO_RETURN: return .eof
                case SSL_ERROR_SYSCALL where n == 0 || errno == 0: return .eof  // closed without close_notify
                default: return .failed(.tls("read failed: " + UpstreamTLSContext.lastError()))
                }
            } else {
                if !Self.wait(fd, POLLIN, timeoutMs) { return .timedOut }
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n > 0 { return .data(n) }
                if n == 0 { return .eof }
                if errno == EINTR || errno == EAGAIN { continue }
                return .failed(.io(String(cString: strerror(errno))))
            }
        }
    }

    /// Waits until `fd` is ready for `events` (or hung up); false on timeout.
    static func wait(_ fd: Int32, _ events: Int32, _ timeoutMs: Int32) -> Bool {
        while true {
            var p = pollfd(fd: fd, events: Int16(events), revents: 0)
            let r = poll(&p, 1, timeoutMs)
            if r < 0 && errno == EINTR { continue }
            return r != 0
        }
    }
}
