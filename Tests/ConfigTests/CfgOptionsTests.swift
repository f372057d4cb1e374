import Config
import Foundation
import Testing

/// `--cfg-options` cases run by mmengine's DictAction + merge_from_dict on the fixture trees:
/// the 23 merging cases give mmengine's config exactly, the 9 error cases give a clear error.
@Suite struct CfgOptionsTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let tree: String
        let options: [String]
        let expected: ConfigDict?
        let types: ConfigDict?
        let shouldSay: String?
        var testDescription: String { name }
    }

    static let cases: [Case] = (try? loadCases()) ?? []

    static func loadCases() throws -> [Case] {
        let text = try Fixtures.text("cfg-options/cases.json")
        let root = try ConfigDict(jsonText: "{\"cases\": \(text)}")
        return root["cases"]!.elements!.map { item in
            let d = item.dictValue!
            return Case(
                name: d["name"]!.stringValue!, tree: d["tree"]!.stringValue!,
                options: d["options"]!.elements!.map { $0.stringValue! },
                expected: d["expected"]?.dictValue, types: d["expected_types"]?.dictValue,
                shouldSay: d["should_say"]?.stringValue)
        }
    }

    @Test func allCasesAreRead() throws {
        let cases = try Self.loadCases()
        #expect(cases.count == 32)
        #expect(cases.filter { $0.expected != nil }.count == 23)
    }

    @Test(arguments: cases)
    func optionCase(_ c: Case) throws {
        let entry = try TreeTests.entry(of: c.tree)
        let base = try Fixtures.cleanLoader.load(file: Fixtures.path("trees/\(c.tree)/\(entry)"))
        if let expected = c.expected, let typesDict = c.types {
            let merged = try CfgOptions.apply(c.options, to: base.dict)
            let types = try ExpectedTypes(typesDict)
            expectSame(.dict(merged), types.apply(to: .dict(expected)), c.name)
            try TreeTests.checkTypes(merged, types, c.name)
            return
        }
        do {
            let merged = try CfgOptions.apply(c.options, to: base.dict)
            // mmengine recurses forever on `cli=(1,2),(3,4)`; the sane reading is accepted
            #expect(c.name == "err-top-level-tuple-list", "\(c.name): expected an error")
            #expect(merged["cli"] == .list([.tuple([1, 2]), .tuple([3, 4])]))
        } catch let error as ConfigError {
            let message = error.description
            for word in Self.mustSay[c.name] ?? [] {
                #expect(message.contains(word), "\(c.name): '\(message)' should mention \(word)")
            }
        }
    }

    /// The substance of each error message (from the cases' `should_say`).
    static let mustSay: [String: [String]] = [
        "err-index-past-end": ["index 5", "out of range", "param_scheduler", "2 elements"],
        "err-scalar-into-list-element": ["model.neck.in_channels[0]", "not a dict", "whole list"],
        "err-index-into-tuple": ["model.backbone.out_indices", "tuple"],
        "err-key-through-scalar": ["model.backbone.depth", "int"],
        "err-non-digit-key-on-list": ["param_scheduler", "list", "'first'", "not an index"],
        "err-unbalanced-brackets": ["unbalanced brackets", "[1,2", "model.neck.in_channels"],
        "err-missing-equals": ["model.backbone.depth", "no '='", "KEY=VALUE"],
        "err-dict-over-none": ["notes", "None"],
    ]

    // MARK: - The value grammar, case by case

    @Test func valueGrammar() throws {
        let cases: [(String, ConfigValue)] = [
            ("8", 8), ("0.005", 0.005), ("5e-5", 5e-5), ("+3", 3), ("-2", -2), ("1.", 1.0), (".5", 0.5),
            ("1E3", 1000.0), ("1_000", 1000), ("0x10", "0x10"), ("yes", "yes"), ("TRUE", true), ("false", false),
            ("None", nil), ("none", "none"), ("", ""), ("'caffe'", "caffe"), ("\"mmdet\"", "mmdet"),
            ("[bbox]", ["bbox"]), ("bbox,segm", ["bbox", "segm"]), ("(1.0)", .tuple([1.0])), ("()", .tuple([])),
            ("[]", []), ("(apple,)", .tuple(["apple"])), ("[(1,2),[a,b],c]", [.tuple([1, 2]), ["a", "b"], "c"]),
            ("( 0, 1, 2 )", .tuple([0, 1, 2])), (" ./runs/exp 1 ", "./runs/exp1"), ("\t6", 6), ("run\t1", "run\t1"),
            ("a,,b", ["a", "", "b"]), ("a,", ["a"]), ("[1", "[1"), ("inf", .double(.infinity)),
            ("\"[64,128]\"", [64, 128]), ("x==y", "x==y"),
        ]
        for (text, expected) in cases {
            #expect(try CfgOptions.parseValue(text) == expected, "value '\(text)'")
        }
    }

    @Test func keysSplitAtTheFirstEquals() throws {
        let (key, value) = try CfgOptions.parse("work_dir=a=b")
        #expect(key == "work_dir" && value == "a=b")
    }

    @Test func deepOptionsAreLimitedNotCrashing() throws {
        let deep = String(repeating: "[", count: 5000) + "1" + String(repeating: "]", count: 5000)
        #expect(throws: ConfigError.self) { try CfgOptions.parseValue(deep) }
        let longKey = Array(repeating: "a", count: 5000).joined(separator: ".") + "=1"
        #expect(throws: ConfigError.self) { try CfgOptions.apply([longKey], to: ConfigDict()) }
    }

    /// The one loader every tool uses: the file, then its options in order; a bad option is an
    /// error naming it.
    @Test func loaderAppliesOptionsToTheFile() throws {
        let path = try Fixtures.path("trees/01-literals/main.py")
        let plain = try Fixtures.cleanLoader.load(file: path)
        let loaded = try Fixtures.cleanLoader.load(file: path, options: ["zz.a=1", "zz.a=2"])
        var expected = plain.dict
        expected["zz"] = ["a": 2]
        #expect(loaded.dict == expected && loaded.source == path)
        #expect(try Fixtures.cleanLoader.load(file: path, options: []).dict == plain.dict)
        do {
            _ = try Fixtures.cleanLoader.load(file: path, options: ["no-equals-sign"])
            Issue.record("expected an error for an option without '='")
        } catch let error as ConfigError {
            #expect(error.description.contains("no-equals-sign"), "\(error)")
        }
    }

    @Test func laterOptionsWinAndNewKeysGoLast() throws {
        let base: ConfigDict = ["a": ["x": 1], "b": 2]
        let merged = try CfgOptions.apply(["c.d=1", "a.y=2", "a.x=3", "c.d=4"], to: base)
        #expect(merged == ["a": ["x": 3, "y": 2], "b": 2, "c": ["d": 4]])
    }
}
