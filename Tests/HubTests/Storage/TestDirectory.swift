import Foundation
import Glibc

/// A fresh directory under /tmp for one test, removed when the value is released.
final class TestDirectory {
    let path: String

    init() {
        var template = Array("/tmp/hub-store-test-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed: \(errno)")
        path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// `path/name`.
    func file(_ name: String) -> String { path + "/" + name }

    /// Every byte of the database file its WAL (where fresh writes live until a checkpoint) and its shared-memory index.
    func databaseBytes() -> [UInt8] {
        ["hub.sqlite", "hub.sqlite-wal", "hub.sqlite-shm"].flatMap { name in
            (FileManager.default.contents(atPath: file(name)).map { [UInt8]($0) }) ?? []
        }
    }
}
