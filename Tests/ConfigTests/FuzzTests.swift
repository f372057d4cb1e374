import Config
import Foundation
import Testing

/// 10,000 seeded random mutations of the fixture configs (Python, YAML and JSON) go through
/// the whole loader: none may crash or hang, and every failure must be a ConfigError that
/// says where (file, and for Python a line and column).
@Suite struct FuzzTests {
    /// SplitMix64: a tiny seeded generator (the Config module has no Kernels to borrow from).
    struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Fragments that tend to reach interesting states of the lexer, parser and evaluator.
    static let snippets = [
        "(", ")", "[", "]", "{", "}", "{{", "}}", "'", "\"", "\"\"\"", "'''", ",", ":", "=", ".", "\n", "    ",
        "#", "\\", "\\\n", "_base_", "_base_.", "{{_base_.model}}", "{{ _base_.x.y }}", "dict(", "dict(a=1, a=2)",
        "lambda", "for", "if", "import", "def", "f'", "b'", "r'\\'", "1e", "1e-3", ".5", "0x", "0x1F", "1_", "00", "-",
        "+", "*", "/", "//", "**", "==", "é", "\t", "\r", "\r\n", "{{$SWIFTDET_FIXTURE_FUZZ:}}", "{{$X:7}}",
        "{{ fileDirname }}", "None", "True", "_delete_=True", "[0]", "[-1]", "[1:2]", "[::2]", "\\x4", "\\u12",
        "\\N{DASH}", ";", "a = b = 1", "- - -1", "99999999999999999999", "1.7976931348623157e309",
        "'a' * 3", "[1] * 2", ": &a [1]", "*a", "!!python/tuple", "- ", "? ", "---\n", "<<: *a", "~", "1:30",
        // the Python of users' configs (#20)
        "f'{", "f'{x!r:>{w}}'", "{**", "[*", " for s in range(3)", " for k, v in ", ".items()", " if ", " else ",
        " and ", " or ", "not ", " in ", " is ", " % ", "'%s' % ", ".format(", "len(", "sorted(", "range(10 ** 9)",
        "import os\n", "from os.path import join\n", "os.path.join(", "osp.", "mmdet::", "_base_ = 'mmdet::x.py'\n",
        "<", ">=", "!=", "[::-1]", "a, *b = ", "open(", "__import__(", ".__class__", "{1, 2}", "lambda x: x",
    ]

    static func sources() throws -> [(path: String, bytes: [UInt8])] {
        var found: [(String, [UInt8])] = []
        for folder in ["trees", "bad", "python"] {
            let dir = try Fixtures.path(folder)
            let files = FileManager.default.enumerator(atPath: dir)?.compactMap { $0 as? String } ?? []
            for file in files.sorted() where [".py", ".yaml", ".yml", ".json"].contains(where: file.hasSuffix) {
                if file.hasPrefix("expected") || file.contains("/expected") || file.hasSuffix("INDEX.json") { continue }
                if file.hasSuffix("make_expected.py") { continue }
                if file.contains("large-list") { continue }
                let path = dir + "/" + file
                found.append((path, Array(try Fixtures.text(folder + "/" + file).utf8)))
            }
        }
        return found
    }

    static func mutate(_ original: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var bytes = original
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let at = bytes.isEmpty ? 0 : Int.random(in: 0...bytes.count, using: &rng)
            switch Int.random(in: 0..<5, using: &rng) {
            case 0 where !bytes.isEmpty:
                let end = min(bytes.count, at + Int.random(in: 1...12, using: &rng))
                if at < end { bytes.removeSubrange(at..<end) }
            case 1, 2:
                bytes.insert(contentsOf: Array(snippets.randomElement(using: &rng)!.utf8), at: at)
            case 3 where !bytes.isEmpty:
                let from = Int.random(in: 0..<bytes.count, using: &rng)
                let span = bytes[from..<min(bytes.count, from + Int.random(in: 1...40, using: &rng))]
                bytes.insert(contentsOf: span, at: at)
            default:
                if at < bytes.count { bytes[at] = UInt8.random(in: 0x09...0x7E, using: &rng) }
            }
        }
        return bytes
    }

    @Test func tenThousandMutationsFailCleanly() throws {
        let sources = try Self.sources()
        #expect(sources.count > 60, "fixture sources found: \(sources.count)")
        let loader = ConfigLoader(environment: [:])
        var rng = SplitMix64(state: 20_240_601)
        var accepted = 0, rejected = 0, unlocated: [String] = []
        let start = DispatchTime.now().uptimeNanoseconds
        for n in 0..<10_000 {
            let (path, original) = sources[n % sources.count]
            let text = String(decoding: Self.mutate(original, &rng), as: UTF8.self)
            do {
                _ = try loader.load(text: text, file: path)
                accepted += 1
            } catch let error as ConfigError {
                rejected += 1
                let located = error.location.map { $0.line >= 1 || !path.hasSuffix(".py") } ?? false
                if !located && unlocated.count < 5 { unlocated.append("#\(n) \(path): \(error)") }
            } catch {
                Issue.record("#\(n) \(path): not a ConfigError: \(error)")
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        #expect(unlocated.isEmpty, "errors without a position: \(unlocated)")
        #expect(accepted > 500 && rejected > 3000, "accepted \(accepted), rejected \(rejected)")
        print("fuzz: 10000 mutations, \(accepted) accepted, \(rejected) rejected, \(seconds) s")
    }
}
