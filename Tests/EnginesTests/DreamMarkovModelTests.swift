import Testing
@testable import Engines

/// The Markov model on tiny texts whose counts are known, and on the shipped corpus.
@Suite struct DreamMarkovModelTests {
    static func model(_ text: String) throws -> MarkovModel { try MarkovModel(training: Array(text.utf8)) }

    @Test func aChainWithOneSuccessorPerPairIsReproducedExactly() throws {
        let m = try Self.model("the cat sat on the mat")
        // (the, cat) → sat, (cat, sat) → on, (sat, on) → the, (on, the) → mat; every draw has one choice.
        #expect(m.words(after: "the cat", count: 4, seed: 1) == ["sat", "on", "the", "mat"])
        #expect(m.stats.words == 6)
        #expect(m.stats.vocabulary == 5)
        #expect(m.stats.pairs == 4)
    }

    @Test func thePromptsLastWordsPickTheStartState() throws {
        let m = try Self.model("a b c\na x y\nq b z")
        #expect(m.context(forPrompt: "hello a b").1 == .order2)
        #expect(m.words(after: "a b", count: 1, seed: 9) == ["c"])
        #expect(m.words(after: "q b", count: 1, seed: 9) == ["z"])
        // `w b` is no known pair: back off to `b` alone (c or z).
        let (_, match) = m.context(forPrompt: "w b")
        #expect(match == .order1)
        #expect(["c", "z"].contains(m.words(after: "w b", count: 1, seed: 3)[0]))
        // Nothing known: the text begins like a line of the corpus (a or q).
        #expect(m.context(forPrompt: "nothing here").1 == .none)
        #expect(["a", "q"].contains(m.words(after: "", count: 1, seed: 5)[0]))
    }

    @Test func promptWordsMatchWithoutCaseOrPunctuation() throws {
        let m = try Self.model("In the beginning God created the heaven and the earth.")
        #expect(m.context(forPrompt: "IN THE").1 == .order2)
        #expect(m.words(after: "in THE", count: 2, seed: 0) == ["beginning", "God"])
        #expect(m.id(of: "earth") == m.id(of: "earth."))
    }

    @Test func countsWeighTheDraws() throws {
        // After (x, y): `a` 3 times, `b` once.
        let m = try Self.model("x y a x y a x y a x y b x")
        var counts: [String: Int] = [:]
        for seed in 0..<2000 { counts[m.words(after: "x y", count: 1, seed: UInt64(seed))[0], default: 0] += 1 }
        #expect(Set(counts.keys) == ["a", "b"])
        let share = Double(counts["a"] ?? 0) / 2000
        #expect(share > 0.70 && share < 0.80, "\(counts)")
    }

    @Test func theChainNeverStopsAtADeadEnd() throws {
        // `end.` is the last word and has no successor: the chain restarts at a line start.
        let m = try Self.model("one two three end.")
        let words = m.words(after: "three end.", count: 10, seed: 7)
        #expect(words.count == 10)
        #expect(words[0] == "one")
    }

    @Test func tooShortATextIsRefused() {
        #expect(throws: MarkovError.tooShort(words: 2)) { try MarkovModel(training: Array("two words".utf8)) }
    }

    @Test func theShippedCorpusTrainsAndTheSameSeedGivesTheSameWords() throws {
        let path = try #require(DreamCorpus.builtInPath())
        let a = try DreamCorpus.train(path: path)
        #expect(a.stats.bytes == 978_820)
        #expect(a.stats.words == 188_109)
        #expect(a.stats.vocabulary > 10_000)
        let first = a.words(after: "In the beginning", count: 40, seed: 2026)
        #expect(first == a.words(after: "In the beginning", count: 40, seed: 2026))
        #expect(first != a.words(after: "In the beginning", count: 40, seed: 2027))
        #expect(a.context(forPrompt: "In the beginning").1 == .order2)
        // A second training of the same text gives the same model, so the same words.
        let b = try DreamCorpus.train(path: path)
        #expect(b.words(after: "In the beginning", count: 40, seed: 2026) == first)
        // Every word drawn after (w1, w2) followed that pair somewhere in the corpus.
        let text = String(decoding: try #require(FileManagerShim.contents(path)), as: UTF8.self)
        let corpusWords = text.split(whereSeparator: \.isWhitespace).map(String.init)
        var trigrams = Set<String>()
        for i in 0..<(corpusWords.count - 2) { trigrams.insert(corpusWords[i..<(i + 3)].joined(separator: " ")) }
        let seq = ["beginning"] + first
        var order2Hits = 0
        for i in 0..<(seq.count - 2) where trigrams.contains(seq[i..<(i + 3)].joined(separator: " ")) { order2Hits += 1 }
        // Backoff may take over now and then, but a big corpus keeps most draws at order 2.
        #expect(order2Hits >= seq.count - 2 - 4, "\(first)")
    }
}

import Foundation

enum FileManagerShim {
    static func contents(_ path: String) -> [UInt8]? { FileManager.default.contents(atPath: path).map { [UInt8]($0) } }
}
