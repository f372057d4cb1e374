import Config
import Foundation
import Testing

/// Dumps read back to the same value: the Python text through the config loader, the JSON
/// text through json-c (tuples become lists there, as in mmengine's JSON).
@Suite struct DumpTests {
    @Test(arguments: TreeTests.trees)
    func pythonDumpReadsBackTheSameValue(_ tree: String) throws {
        let entry = try TreeTests.entry(of: tree)
        let view = try Fixtures.cleanLoader.load(file: Fixtures.path("trees/\(tree)/\(entry)"))
        let text = try ConfigDump.python(view.dict)
        let again = try ConfigLoader(environment: [:]).load(text: text, file: "/nonexistent/dumped.py")
        expectSame(.dict(again.dict), .dict(view.dict), "\(tree) dumped as Python")
    }

    @Test func jsonDumpReadsBackWithTuplesAsLists() throws {
        let view = try Fixtures.cleanLoader.load(file: Fixtures.path("trees/01-literals/main.py"))
        let parsed = try ConfigDict(jsonText: ConfigDump.json(view.dict))
        func listed(_ v: ConfigValue) -> ConfigValue {
            switch v {
            case .tuple(let items), .list(let items): return .list(items.map(listed))
            case .dict(let d): return .dict(d.mapValues(listed))
            default: return v
            }
        }
        expectSame(.dict(parsed), listed(.dict(view.dict)), "JSON round trip")
    }

    @Test func pythonDumpLayout() throws {
        let dict: ConfigDict = [
            "short": ["type": "BN", "requires_grad": true],
            "odd_keys": ["bbox-mAP": 0.5],
            "one": .tuple(["a"]),
            "quote": "it's \"quoted\"\n",
            "long": .list((0..<40).map { .int($0 * 1000) }),
        ]
        let text = try ConfigDump.python(dict)
        #expect(text.contains("short = dict(type='BN', requires_grad=True)\n"))
        #expect(text.contains("odd_keys = {'bbox-mAP': 0.5}\n"))
        #expect(text.contains("one = ('a',)\n"))
        #expect(text.contains("quote = 'it\\'s \"quoted\"\\n'\n"))
        #expect(text.contains("long = [\n    0,\n    1000,\n"))
        #expect(throws: ConfigError.self) { try ConfigDump.python(["with space": 1]) }
        #expect(throws: ConfigError.self) { try ConfigDump.python(["x": .double(.nan)]) }
    }

    @Test func jsonEscapesLikePython() {
        var dict = ConfigDict()
        dict["s"] = "tab\there \"q\" \\ \u{1} é\u{2028}"
        dict["f"] = .double(.infinity)
        dict["e"] = .list([])
        #expect(ConfigDump.json(dict) == "{\n  \"s\": \"tab\\there \\\"q\\\" \\\\ \\u0001 é\u{2028}\",\n  \"f\": Infinity,\n  \"e\": []\n}")
    }
}
