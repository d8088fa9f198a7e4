/// One SQLite value, for binding parameters and reading whole rows without per-type calls.
enum SQLiteValue: Sendable, Equatable {
    case integer(Int64)
    case text(String)
    case blob([UInt8])
    case null
}
