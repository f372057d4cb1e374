import Config
import Foundation
import Testing

/// Every fixture tree loads to exactly what mmengine 0.10.7 produced: the same JSON text
/// (`json.dumps(indent=2)`: keys in mmengine's order, floats as Python writes them), and
/// tuples and floats exactly where `expected_types.json` lists them.
@Suite struct TreeTests {
    static let trees = [
        "01-literals", "02-names-arith", "03-base-single", "04-base-list-paths", "05-three-levels",
        "06-delete", "07-placeholders", "08-base-writes", "09-helper-override", "10-file-vars-env",
        "11-yaml-child", "12-json-child", "13-two-stage", "14-two-stage-variant", "15-special-keys",
        "16-quirks",
    ]

    @Test func indexListsEveryTree() throws {
        let index = try Fixtures.json("trees/INDEX.json")
        let names = index["trees"]?.elements?.compactMap { $0.dictValue?["name"]?.stringValue } ?? []
        #expect(names == Self.trees)
    }

    @Test(arguments: trees)
    func treeMatchesMmengine(_ tree: String) throws {
        let entry = try Self.entry(of: tree)
        let view = try Fixtures.cleanLoader.load(file: Fixtures.path("trees/\(tree)/\(entry)"))
        let treeDir = Fixtures.root.appendingPathComponent("trees/\(tree)").path
        try Self.check(view.dict, tree: tree, expectedFile: "expected.json", typesFile: "expected_types.json", treeDir: treeDir)
    }

    /// Tree 10 with its environment variables set.
    @Test func fileVarsEnvWithEnvironmentSet() throws {
        let index = try Fixtures.json("trees/INDEX.json")
        let tree = index["trees"]!.elements!.first { $0.dictValue?["name"] == "10-file-vars-env" }!.dictValue!
        let variant = tree["env_set_variant"]!.dictValue!
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in variant["env"]!.dictValue! { environment[key] = value.stringValue! }
        let view = try ConfigLoader(environment: environment).load(file: Fixtures.path("trees/10-file-vars-env/main.py"))
        let treeDir = Fixtures.root.appendingPathComponent("trees/10-file-vars-env").path
        try Self.check(view.dict, tree: "10-file-vars-env", expectedFile: variant["file"]!.stringValue!,
                       typesFile: variant["types_file"]!.stringValue!, treeDir: treeDir)
    }

    /// The same tree loaded from text handed in (`load(text:file:)`) gives the same result.
    @Test func loadFromTextMatchesLoadFromFile() throws {
        let path = try Fixtures.path("trees/13-two-stage/main.py")
        let fromFile = try Fixtures.cleanLoader.load(file: path)
        let fromText = try Fixtures.cleanLoader.load(text: Fixtures.text("trees/13-two-stage/main.py"), file: path)
        #expect(fromFile.dict == fromText.dict)
    }

    static func entry(of tree: String) throws -> String {
        let index = try Fixtures.json("trees/INDEX.json")
        let item = index["trees"]?.elements?.first { $0.dictValue?["name"]?.stringValue == tree }
        return try #require(item?.dictValue?["entry"]?.stringValue, "tree \(tree) not in INDEX.json")
    }

    /// Compares a loaded config with an expected JSON file three ways: the dumped text, the
    /// strict value (tuples applied), and the exact sets of tuple and float paths.
    static func check(_ dict: ConfigDict, tree: String, expectedFile: String, typesFile: String, treeDir: String) throws {
        let expectedText = try Fixtures.text("trees/\(tree)/\(expectedFile)")
            .replacingOccurrences(of: "${TREE_DIR}", with: treeDir)
        let dumped = ConfigDump.json(dict) + "\n"
        #expect(dumped == expectedText, "\(tree): JSON text differs from mmengine's")

        let types = try ExpectedTypes(Fixtures.json("trees/\(tree)/\(typesFile)"))
        let expected = types.apply(to: .dict(try ConfigDict(jsonText: expectedText)))
        expectSame(.dict(dict), expected, tree)
        try checkTypes(dict, types, tree)
    }

    static func checkTypes(_ dict: ConfigDict, _ types: ExpectedTypes, _ what: String) throws {
        let tuples = ValuePaths.paths(in: .dict(dict)) { if case .tuple = $0 { return true } else { return false } }
        let floats = ValuePaths.paths(in: .dict(dict)) { if case .double = $0 { return true } else { return false } }
        #expect(tuples.map(ConfigPath.render).sorted() == types.tuples.map(ConfigPath.render).sorted(), "\(what): tuple paths")
        #expect(floats.map(ConfigPath.render).sorted() == types.floats.map(ConfigPath.render).sorted(), "\(what): float paths")
    }
}
