import CSQLite
import Glibc

/// One SQLite connection: WAL journal, a 5 s busy timeout and foreign keys on, every failure a
/// `StoreError` carrying SQLite's own message.
///
/// Not Sendable and not internally locked (`SQLITE_OPEN_NOMUTEX`): exactly one owner uses it at a
/// time, the `Store` actor in the daemon or the `hub token` command in its own process. WAL lets
/// those two processes share the file: readers never block the writer, and the busy timeout makes
/// a second writer wait for the first instead of failing.
final class SQLiteDatabase {
    /// Tells SQLite to copy bound text and blobs (the C macro `SQLITE_TRANSIENT` does not import).
    static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
    /// How long a writer waits for another connection's write lock before `SQLITE_BUSY`.
    static let busyTimeoutMilliseconds: Int32 = 5000

    /// The database file.
    let path: String
    private let handle: OpaquePointer

    /// Opens (creating it and its directories if needed) the database file at `path`.
    /// - Throws: `StoreError.cannotCreateDirectory`, `.cannotOpen`, `.notADatabase` for a file that
    ///   is not SQLite, `.readOnly` when the file or its WAL cannot be written.
    init(path: String) throws(StoreError) {
        self.path = path
        try SQLiteDatabase.createDirectories(containing: path)
        var opened: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let code = sqlite3_open_v2(path, &opened, flags, nil)
        guard code == SQLITE_OK, let opened else {
            let message = opened.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_close_v2(opened)
            throw .cannotOpen(path: path, message: message)
        }
        handle = opened
        // From here on `deinit` closes the handle if configuration fails.
        sqlite3_busy_timeout(handle, SQLiteDatabase.busyTimeoutMilliseconds)
        try configure()
    }

    deinit { sqlite3_close_v2(handle) }

    /// Switches to WAL and checks the file is really a writable database before anyone relies on it.
    private func configure() throws(StoreError) {
        // The first statement reads the header: a file that is not SQLite fails here.
        let mode = try query("PRAGMA journal_mode=WAL").first?.first
        guard mode == .text("wal") else {
            throw .readOnly(path: path, message: "cannot switch to WAL journal mode (still \(mode.map { "\($0)" } ?? "unknown"))")
        }
        if sqlite3_db_readonly(handle, "main") == 1 {
            throw .readOnly(path: path, message: "SQLite opened it read-only")
        }
        try execute("PRAGMA foreign_keys=ON")
    }

    // MARK: Running SQL

    /// Runs one or more statements that return no rows of interest (DDL, `BEGIN`, pragmas).
    func execute(_ sql: String) throws(StoreError) {
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &message)
        guard code == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(message)
            throw error(code, message: text)
        }
    }

    /// Compiles one statement for binding and stepping.
    func prepare(_ sql: String) throws(StoreError) -> SQLiteStatement {
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
        guard code == SQLITE_OK else { throw error(code) }
        guard let statement else { throw .invalidArgument("no SQL statement in \"\(sql)\"") }
        return SQLiteStatement(handle: statement, database: self)
    }

    /// Runs one statement with `values` bound to its parameters; returns the rows it changed.
    @discardableResult
    func run(_ sql: String, _ values: [SQLiteValue] = []) throws(StoreError) -> Int {
        let statement = try prepare(sql)
        try statement.bind(values)
        while try statement.step() {}
        return Int(sqlite3_changes(handle))
    }

    /// Runs one query with `values` bound; returns every row, each as its column values.
    func query(_ sql: String, _ values: [SQLiteValue] = []) throws(StoreError) -> [[SQLiteValue]] {
        let statement = try prepare(sql)
        try statement.bind(values)
        var rows: [[SQLiteValue]] = []
        while try statement.step() {
            rows.append((0..<statement.columnCount).map { statement.value($0) })
        }
        return rows
    }

    /// Rows changed by the last `INSERT`, `UPDATE` or `DELETE`.
    var changes: Int { Int(sqlite3_changes(handle)) }

    /// The rowid of the last successful `INSERT`.
    var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Whether a transaction is open on this connection.
    var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// Runs `body` in a write transaction: committed if it returns, rolled back if it throws.
    ///
    /// `BEGIN IMMEDIATE` takes the write lock up front, so a concurrent writer in another process
    /// waits in the busy handler here instead of failing later with a lock upgrade deadlock.
    /// Not reentrant: do not nest.
    func transaction<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            if isInTransaction { try? execute("ROLLBACK") }
            throw error
        }
    }

    // MARK: Errors

    /// The `StoreError` for result `code`, with SQLite's message for this connection.
    func error(_ code: Int32, message: String? = nil) -> StoreError {
        let text = message ?? String(cString: sqlite3_errmsg(handle))
        switch code & 0xFF {
        case SQLITE_NOTADB, SQLITE_CORRUPT: return .notADatabase(path: path, message: text)
        case SQLITE_READONLY: return .readOnly(path: path, message: text)
        case SQLITE_CANTOPEN: return .cannotOpen(path: path, message: text)
        default: return .sqlite(code: code, message: text)
        }
    }

    /// `mkdir -p` of the directory holding `path`, with the POSIX reason on failure (Foundation's
    /// file errors read like dialog boxes: "The operation could not be completed").
    private static func createDirectories(containing path: String) throws(StoreError) {
        guard let slash = path.lastIndex(of: "/") else { return }
        let directory = String(path[..<slash])
        // "/a/b" → "/a", "/a/b"; "data/x" → "./data", "./data/x".
        var prefix = directory.hasPrefix("/") ? "" : "."
        for component in directory.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o755) == 0 { continue }
            let code = errno
            var info = stat()
            if code == EEXIST, stat(prefix, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { continue }
            let reason = code == EEXIST ? "\(prefix) exists and is not a directory" : String(cString: strerror(code))
            throw .cannotCreateDirectory(path: directory, reason: reason)
        }
    }
}
