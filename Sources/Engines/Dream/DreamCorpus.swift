import Broadcast
import Foundation
import Synchronization

/// The training text of the Markov generator and the process-wide cache of trained models.
///
/// The shipped corpus is a selection of the King James Version (public domain; see
/// `Corpus/README.md`), copied into the `Hub_Engines.resources` bundle next to the executable
/// by SwiftPM. It is found there, or in the source tree (a build run from the checkout). A model
/// is trained once per path and process: every hub a test process starts shares it.
public enum DreamCorpus {
    /// The shipped corpus's name in health and replies.
    public static let builtInName = "kjv-selection"
    static let fileName = "kjv-selection.txt"

    /// The shipped corpus's path, if it can be found.
    public static func builtInPath() -> String? {
        var candidates: [String] = []
        let main = Bundle.main.bundleURL
        candidates.append(main.appendingPathComponent("Hub_Engines.resources/Corpus/\(fileName)").path)
        candidates.append(main.deletingLastPathComponent().appendingPathComponent("Hub_Engines.resources/Corpus/\(fileName)").path)
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        candidates.append(source.appendingPathComponent("Corpus/\(fileName)").path)
        return candidates.first { FileManager.default.isReadableFile(atPath: $0) }
    }

    /// The corpus name for `path` (empty: the built-in one).
    static func name(for path: String) -> String {
        path.isEmpty ? builtInName : URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
    }

    private static let models = Mutex<[String: Task<MarkovModel, any Error>]>([:])

    /// The model trained on `path` (empty: the built-in corpus), training it on first use on the
    /// hub's executor (off the cooperative pool).
    static func model(path: String) -> Task<MarkovModel, any Error> {
        models.withLock { m in
            if let t = m[path] { return t }
            let t = Task(executorPreference: DedicatedExecutor.shared) { () throws -> MarkovModel in
                try DreamCorpus.train(path: path)
            }
            m[path] = t
            return t
        }
    }

    /// Drops the cached training of `path` (after it failed), so the next `model` trains again.
    static func forget(path: String) {
        models.withLock { _ = $0.removeValue(forKey: path) }
    }

    /// Trains a model on the file at `path` (empty: the built-in corpus), now, on the calling thread.
    public static func train(path: String) throws -> MarkovModel {
        guard let file = path.isEmpty ? builtInPath() : path else { throw DreamCorpusError.missing("the built-in corpus") }
        guard let data = FileManager.default.contents(atPath: file) else { throw DreamCorpusError.missing(file) }
        return try MarkovModel(training: [UInt8](data))
    }
}

/// Why the corpus could not be read.
enum DreamCorpusError: Error, CustomStringConvertible {
    case missing(String)
    var description: String {
        switch self {
        case .missing(let what): return "cannot read the dream corpus (\(what))"
        }
    }
}
