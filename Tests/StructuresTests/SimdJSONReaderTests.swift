import Structures
import Testing
import TestSupport

/// The two parsers behind `CocoIndex`: simdjson reads every file (fast), json-c reads again any
/// file simdjson fails on (to say where). They must agree value for value, and simdjson must
/// never accept what json-c refuses.
@Suite struct SimdJSONReaderTests {
    static let files = [
        "Tests/Fixtures/coco_sample/annotations/instances_train2017_sample.json",
        "Tests/Fixtures/cocoeval/tiny/gt.json",
        "Tests/Fixtures/cocoeval/edge/gt.json",
        "Tests/Fixtures/cocoeval/quirks/gt.json",
        "Tests/Fixtures/cocoeval/nobbox/gt.json",
        "data/fruits_nuts/annotations/instances_train.json",
        "data/fruits_nuts/annotations/instances_val.json",
    ]

    @Test(arguments: files) func bothParsersReadTheSame(_ file: String) throws {
        let text = try JSONText(contentsOf: try TestFiles.project(file))
        let fast = try CocoIndex(text: text, parser: SimdJSONParser.self)
        let located = try CocoIndex(text: text, parser: JSONElementParser.self)
        #expect(fast.annotations.count > 0)
        Self.expectSame(fast, located, file)
    }

    static func expectSame(_ a: CocoIndex, _ b: CocoIndex, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(a.images == b.images, "\(what): images", sourceLocation: sourceLocation)
        #expect(a.categories == b.categories, "\(what): categories", sourceLocation: sourceLocation)
        #expect(a.annotations.count == b.annotations.count, "\(what): annotation count", sourceLocation: sourceLocation)
        for (x, y) in zip(a.annotations, b.annotations) where x != y {
            Issue.record("\(what): annotation \(x.id) differs: \(x) vs \(y)", sourceLocation: sourceLocation)
            return
        }
    }

    /// Values json-c reads and simdjson does not (an integer above Int64.max, a number beyond
    /// double's range), or reads its own way (duplicate keys: the last counts, as in Python):
    /// `CocoIndex(text:)` gives json-c's reading.
    @Test func whatSimdJSONRefusesJSONCReads() throws {
        let refused = [
            #"{"images": [{"id": 18446744073709551615}]}"#,
            #"{"info": {"huge": 1e400}, "images": [{"id": 3}]}"#,
        ]
        let agreed = [
            #"{"images": [{"id": 1, "id": 3}]}"#,
            #"{"images": [{"id": 3.0, "width": 2.0, "height": true}]}"#,
        ]
        for source in refused + agreed {
            let index = try CocoIndex(text: jsonText(source))
            let located = try CocoIndex(text: jsonText(source), parser: JSONElementParser.self)
            #expect(index.images == located.images && index.images.count == 1, "\(source)")
        }
        for source in refused {
            #expect(throws: (any Error).self, "\(source)") { try CocoIndex(text: jsonText(source), parser: SimdJSONParser.self) }
        }
        for source in agreed {
            #expect(try CocoIndex(text: jsonText(source), parser: SimdJSONParser.self).images.map(\.id) == [3])
        }
    }

    /// 3,000 seeded edits of a small valid file (a byte deleted, a JSON character inserted, a
    /// byte replaced, a slice repeated): whenever simdjson reads the result, json-c reads it
    /// too and to the same values; when simdjson fails, `CocoIndex(text:)` says what json-c
    /// says.
    @Test func simdJSONNeverAcceptsWhatJSONCRefuses() throws {
        let source = Array(CocoIndexTests.good.utf8)
        let alphabet = Array(#"{}[],:"0123456789.-+eE tfnul\"#.utf8)
        var random = SplitMix(seed: 2026)
        var fastReads = 0, bothFail = 0
        for trial in 0..<3000 {
            var bytes = source
            for _ in 0..<(1 + random.next(3)) {
                let at = random.next(bytes.count)
                switch random.next(4) {
                case 0: bytes.remove(at: at)
                case 1: bytes.insert(alphabet[random.next(alphabet.count)], at: at)
                case 2: bytes[at] = alphabet[random.next(alphabet.count)]
                default:
                    let end = min(bytes.count, at + 1 + random.next(12))
                    bytes.insert(contentsOf: bytes[at..<end], at: end)
                }
            }
            let text = JSONText(bytes: bytes, path: "mutant.json")
            let fast = try? CocoIndex(text: text, parser: SimdJSONParser.self)
            let located = Result { try CocoIndex(text: text, parser: JSONElementParser.self) }
            switch (fast, located) {
            case (let fast?, .success(let located)):
                fastReads += 1
                Self.expectSame(fast, located, "trial \(trial): \(String(decoding: bytes, as: UTF8.self))")
            case (_?, .failure(let error)):
                Issue.record("trial \(trial): simdjson read what json-c refuses (\(error)): \(String(decoding: bytes, as: UTF8.self))")
            case (nil, .failure(let error)):
                bothFail += 1
                #expect(errorText { _ = try CocoIndex(text: text) } == "\(error)")
            case (nil, .success):
                break
            }
        }
        #expect(fastReads > 100 && bothFail > 100, "fast reads \(fastReads), both fail \(bothFail)")
    }
}

/// A seeded generator (SplitMix64) for reproducible mutations.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(bound))
    }
}
