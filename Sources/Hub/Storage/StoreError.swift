/// Why the store could not open or answer; every case carries what an operator needs to fix it.
enum StoreError: Error, Equatable, CustomStringConvertible {
    /// The data directory (or a parent) could not be created.
    case cannotCreateDirectory(path: String, reason: String)
    /// SQLite could not open or create the file (missing permission, a directory in the way, …).
    case cannotOpen(path: String, message: String)
    /// The file exists but is not an SQLite database, or is damaged (`SQLITE_NOTADB`/`SQLITE_CORRUPT`).
    case notADatabase(path: String, message: String)
    /// The database opened read-only or its WAL files cannot be written: the hub must not run
    /// with a store that silently refuses every revocation.
    case readOnly(path: String, message: String)
    /// The file was written by a newer hub whose schema this one does not know.
    case newerSchema(path: String, found: Int64, supported: Int64)
    /// A migration step failed and was rolled back.
    case migrationFailed(path: String, version: Int, message: String)
    /// Any other SQLite failure: the result code and `sqlite3_errmsg`.
    case sqlite(code: Int32, message: String)
    /// A caller passed a value the store refuses (an empty user id, a non-positive TTL).
    case invalidArgument(String)
    /// OpenSSL's random generator failed, so no secret can be made.
    case randomUnavailable

    var description: String {
        switch self {
        case .cannotCreateDirectory(let path, let reason):
            return "cannot create the data directory \(path): \(reason)"
        case .cannotOpen(let path, let message):
            return "cannot open the database \(path): \(message)"
        case .notADatabase(let path, let message):
            return "\(path) is not a usable hub database (\(message)); move it away or restore a backup"
        case .readOnly(let path, let message):
            return "the database \(path) is not writable: \(message)"
        case .newerSchema(let path, let found, let supported):
            return "the database \(path) has schema version \(found), newer than this hub knows (\(supported)); "
                + "run a newer hub"
        case .migrationFailed(let path, let version, let message):
            return "cannot migrate the database \(path) to schema version \(version): \(message)"
        case .sqlite(let code, let message):
            return "sqlite error \(code): \(message)"
        case .invalidArgument(let message):
            return message
        case .randomUnavailable:
            return "the OpenSSL random generator failed"
        }
    }
}
