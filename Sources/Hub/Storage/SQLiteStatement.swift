import CSQLite

/// A prepared statement of one `SQLiteDatabase`; finalized when released.
///
/// Indices follow SQLite: parameters from 1, columns from 0. Not Sendable: it belongs to the
/// database's owner, like the database itself.
final class SQLiteStatement {
    private let handle: OpaquePointer
    /// Kept for error messages, and so the connection outlives its statements.
    private let database: SQLiteDatabase

    init(handle: OpaquePointer, database: SQLiteDatabase) {
        self.handle = handle
        self.database = database
    }

    deinit { sqlite3_finalize(handle) }

    // MARK: Binding

    /// Binds an integer to parameter `index` (1-based).
    func bind(_ value: Int64, at index: Int32) throws(StoreError) {
        try check(sqlite3_bind_int64(handle, index, value))
    }

    /// Binds UTF-8 text to parameter `index`; SQLite copies it.
    func bind(_ value: String, at index: Int32) throws(StoreError) {
        try check(sqlite3_bind_text(handle, index, value, -1, SQLiteDatabase.transient))
    }

    /// Binds a blob to parameter `index`; SQLite copies it.
    func bind(blob value: [UInt8], at index: Int32) throws(StoreError) {
        let code = value.withUnsafeBytes { raw in
            // A zero-length blob needs a non-null pointer, or SQLite binds NULL instead.
            sqlite3_bind_blob(handle, index, raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(raw.count),
                              SQLiteDatabase.transient)
        }
        try check(code)
    }

    /// Binds NULL to parameter `index`.
    func bindNull(at index: Int32) throws(StoreError) {
        try check(sqlite3_bind_null(handle, index))
    }

    /// Binds any `SQLiteValue` to parameter `index`.
    func bind(_ value: SQLiteValue, at index: Int32) throws(StoreError) {
        switch value {
        case .integer(let v): try bind(v, at: index)
        case .text(let v): try bind(v, at: index)
        case .blob(let v): try bind(blob: v, at: index)
        case .null: try bindNull(at: index)
        }
    }

    /// Binds `values` to parameters 1, 2, … in order.
    func bind(_ values: [SQLiteValue]) throws(StoreError) {
        for (offset, value) in values.enumerated() { try bind(value, at: Int32(offset + 1)) }
    }

    // MARK: Stepping

    /// Runs the statement to its next row: true when a row is ready to read, false when done.
    @discardableResult
    func step() throws(StoreError) -> Bool {
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw database.error(code)
        }
    }

    /// Rewinds the statement and clears its bindings so it can run again.
    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    // MARK: Columns of the current row

    /// Columns in the result.
    var columnCount: Int32 { sqlite3_column_count(handle) }

    /// Whether column `index` (0-based) of the current row is NULL.
    func isNull(_ index: Int32) -> Bool { sqlite3_column_type(handle, index) == SQLITE_NULL }

    /// Column `index` as an integer (0 for NULL).
    func int64(_ index: Int32) -> Int64 { sqlite3_column_int64(handle, index) }

    /// Column `index` as an integer, or nil for NULL.
    func optionalInt64(_ index: Int32) -> Int64? { isNull(index) ? nil : int64(index) }

    /// Column `index` as text, or nil for NULL.
    func string(_ index: Int32) -> String? {
        guard let text = sqlite3_column_text(handle, index) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, index))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

    /// Column `index` as bytes, or nil for NULL (an empty blob is `[]`).
    func blob(_ index: Int32) -> [UInt8]? {
        if isNull(index) { return nil }
        let count = Int(sqlite3_column_bytes(handle, index))
        guard count > 0, let bytes = sqlite3_column_blob(handle, index) else { return [] }
        return Array(UnsafeRawBufferPointer(start: bytes, count: count))
    }

    /// Column `index` as whatever type SQLite stored.
    func value(_ index: Int32) -> SQLiteValue {
        switch sqlite3_column_type(handle, index) {
        case SQLITE_INTEGER: return .integer(int64(index))
        case SQLITE_NULL: return .null
        case SQLITE_BLOB: return .blob(blob(index) ?? [])
        case SQLITE_FLOAT: return .text(String(sqlite3_column_double(handle, index)))
        default: return .text(string(index) ?? "")
        }
    }

    private func check(_ code: Int32) throws(StoreError) {
        guard code == SQLITE_OK else { throw database.error(code) }
    }
}
