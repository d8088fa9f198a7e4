/// The database schema as an ordered list of migrations; version N is the first N applied.
///
/// Append only: a shipped migration is never edited, a change is a new entry. `schema_version`
/// holds one row with the version applied; each step runs in its own write transaction together
/// with the version bump, so a crash leaves the file at a whole version, never between two.
enum StoreSchema {
    /// Migration `i` takes the schema from version `i` to `i + 1`.
    static let migrations: [String] = [
        // v1: identity. Times are Unix seconds; a token's secret is never stored, only its SHA-256.
        """
        CREATE TABLE users(
            id TEXT PRIMARY KEY,
            created INTEGER,
            metadata TEXT
        );
        CREATE TABLE tokens(
            id TEXT PRIMARY KEY,
            hash BLOB UNIQUE NOT NULL,
            user TEXT NOT NULL,
            kind TEXT NOT NULL CHECK(kind IN ('user','admin','api')),
            created INTEGER NOT NULL,
            expires INTEGER,
            revoked INTEGER
        );
        CREATE INDEX tokens_user ON tokens(user);
        CREATE TABLE audit(
            id INTEGER PRIMARY KEY,
            time INTEGER NOT NULL,
            actor TEXT,
            action TEXT NOT NULL,
            target TEXT,
            details TEXT
        );
        CREATE TABLE meta(
            key TEXT PRIMARY KEY,
            value TEXT
        );
        INSERT INTO meta(key, value) VALUES('revocation_stamp', '0');
        """,
        // v2: the telepathy engine's mailbox (docs/engines/telepathy.md). `seq` orders delivery
        // (AUTOINCREMENT: never reused, so it only grows); times are Unix milliseconds; an acked
        // row keeps its id, sender and key (not its data) until it expires, for idempotent retries.
        """
        CREATE TABLE mailbox(
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT UNIQUE NOT NULL,
            sender TEXT NOT NULL,
            recipient TEXT NOT NULL,
            key TEXT,
            data BLOB,
            created INTEGER NOT NULL,
            acked INTEGER
        );
        CREATE INDEX mailbox_pending ON mailbox(recipient, seq) WHERE acked IS NULL;
        CREATE UNIQUE INDEX mailbox_key ON mailbox(sender, key) WHERE key IS NOT NULL;
        CREATE INDEX mailbox_created ON mailbox(created);
        """,
    ]

    /// The version this code writes and understands.
    static var currentVersion: Int64 { Int64(migrations.count) }

    /// Brings `database` up to `currentVersion`, one transaction per step.
    ///
    /// Safe against a second process migrating at the same moment (a hub starting while
    /// `hub token create` runs on a fresh directory): the version is re-read under the write lock.
    /// - Throws: `StoreError.newerSchema` for a file from a newer hub, `.migrationFailed` when a
    ///   step fails (that step is rolled back; earlier steps stay).
    static func migrate(_ database: SQLiteDatabase) throws(StoreError) {
        while true {
            let finished: Bool = try database.transaction { () throws(StoreError) -> Bool in
                try database.execute("CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL)")
                let found = try version(of: database)
                if found > currentVersion {
                    throw .newerSchema(path: database.path, found: found, supported: currentVersion)
                }
                if found == currentVersion { return true }
                let next = Int(found) + 1
                do throws(StoreError) {
                    try database.execute(migrations[Int(found)])
                    try database.run("DELETE FROM schema_version")
                    try database.run("INSERT INTO schema_version(version) VALUES(?)", [.integer(Int64(next))])
                } catch {
                    switch error {
                    case .notADatabase, .readOnly: throw error
                    default: throw .migrationFailed(path: database.path, version: next, message: "\(error)")
                    }
                }
                return false
            }
            if finished { return }
        }
    }

    /// The version recorded in `schema_version` (0 for a fresh file).
    static func version(of database: SQLiteDatabase) throws(StoreError) -> Int64 {
        guard case .integer(let version) = try database.query("SELECT max(version) FROM schema_version").first?.first
        else { return 0 }
        return version
    }
}
