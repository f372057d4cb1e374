import Config
import Foundation
import Testing

/// The Python that users' configs use (#20): every tree of `python/` loads to exactly what
/// mmengine 0.10.7 produced (the same JSON text, tuples and floats where it had them), with
/// `mmdet::` bases read from SwiftDet's own configs/ tree.
@Suite struct PythonTreeTests {
    static let trees = [
        "17-operators", "18-unpacking", "19-comprehensions", "20-strings", "21-builtins", "22-os-path",
        "23-pkg-base", "24-user-chain",
    ]

    static var loader: ConfigLoader {
        var loader = Fixtures.cleanLoader
        loader.packageRoots = ["mmdet": Fixtures.packageRoot.appendingPathComponent("configs").path]
        return loader
    }

    @Test func indexListsEveryTree() throws {
        let index = try Fixtures.json("python/INDEX.json")
        #expect(index["mmengine"] == "0.10.7")
        let names = index["trees"]?.elements?.compactMap { $0.dictValue?["name"]?.stringValue } ?? []
        #expect(names == Self.trees)
    }

    @Test(arguments: trees)
    func treeMatchesMmengine(_ tree: String) throws {
        let view = try Self.loader.load(file: Fixtures.path("python/\(tree)/main.py"))
        let treeDir = Fixtures.root.appendingPathComponent("python/\(tree)").path
        try TreeTests.check(view.dict, tree: "../python/\(tree)", expectedFile: "expected.json", typesFile: "expected_types.json",
                            treeDir: treeDir)
    }

    /// `mmdet::` resolves through `packageRoots`; without SwiftDet's tree there, or for a file
    /// it lacks, the error names the base and where the file belongs.
    @Test func packageBasesNeedSwiftDetsConfigs() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("swiftdet-pkg-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func failure(_ text: String, roots: [String: String]) -> ConfigError? {
            var loader = Self.loader
            loader.packageRoots = roots
            do {
                _ = try loader.load(text: text, file: dir + "/cfg.py")
                return nil
            } catch { return error as? ConfigError }
        }
        let configs = Self.loader.packageRoots
        let missing = failure("_base_ = 'mmdet::_base_/models/retinanet_r50_fpn.py'\n", roots: configs)
        #expect(missing?.location?.line == 1 && missing?.location?.column == 10)
        #expect(missing?.message.contains("no _base_/models/retinanet_r50_fpn.py") == true)
        #expect(missing?.message.contains("copy mmdetection's configs/_base_/models/retinanet_r50_fpn.py there") == true)
        let other = failure("_base_ = ['mmpretrain::resnet/resnet50_8xb32_in1k.py']\n", roots: configs)
        #expect(other?.message.contains("package 'mmpretrain' is not available") == true)
        let unset = failure("_base_ = 'mmdet::_base_/default_runtime.py'\n", roots: [:])
        #expect(unset?.message.contains("SWIFTDET_CONFIGS") == true)
        // A pkg base and the same file by path differ only by mmengine's _scope_ keys.
        let byPackage = try Self.loader.load(text: "_base_ = 'mmdet::_base_/schedules/schedule_1x.py'\n", file: dir + "/cfg.py").dict
        let byPath = try Self.loader.load(file: configs["mmdet"]! + "/_base_/schedules/schedule_1x.py").dict
        #expect(byPackage["train_cfg"]?.dictValue?["_scope_"] == "mmdet")
        #expect(byPackage["optim_wrapper"]?.dictValue?["optimizer"]?.dictValue?["_scope_"] == nil)
        #expect(byPackage.keys == byPath.keys)
    }

    /// The sandbox: nothing reaches files, processes or the environment, and nothing runs
    /// long or builds huge values; each attempt is a located error.
    static let refused: [(String, String, String)] = [
        ("x = open('/etc/passwd').read()", "1:5", "'open' is not allowed"),
        ("x = __import__('os').system('true')", "1:5", "'__import__' is not allowed"),
        ("x = getattr(dict(a=1), 'a')", "1:5", "'getattr' is not allowed"),
        ("x = eval('1')", "1:5", "'eval' is not allowed"),
        ("import os\nx = os.system('true')", "2:8", "os.system is not allowed"),
        ("import os\nx = os.environ['HOME']", "2:8", "{{$NAME:default}}"),
        ("import os.path as osp\nx = osp.exists('/')", "2:9", "os.path.exists is not allowed"),
        ("from os import system", "1:16", "os.system is not allowed"),
        ("import subprocess", "1:1", "import of 'subprocess' is not allowed"),
        ("from os import *", "1:16", "import *"),
        ("import os\nx = os", "", ""),
        ("x = (1).__class__", "1:9", "no attribute '__class__'"),
        ("x = dict.__subclasses__", "1:10", "not available in config files"),
        ("x = [i for i in range(10 ** 9)]", "1:17", "more than 1000000 elements"),
        ("x = sum(range(10 ** 9))", "1:5", "more than 1000000 elements"),
        ("x = len(range(10 ** 18))", "", ""),
        ("x = [[j for j in range(4000)] for i in range(4000)]", "1:", "evaluation steps"),
        ("x = 'ab' * 10 ** 6", "1:10", "repetition too large"),
        ("x = [0] * 10 ** 6\ny = x + x", "2:7", "more than 1000000 elements"),
        ("x = f'{1:>2000000}'", "1:8", "format width too large"),
        ("x = '%2000000d' % 1", "1:", "format width too large"),
        ("x = 2 ** 10 ** 10", "1:7", "integer overflow"),
        ("x = " + String(repeating: "[", count: 300) + "1" + String(repeating: " for a in [1]]", count: 300), "1:", "nesting too deep"),
    ]

    @Test func sandboxRefusesOrCaps() {
        for (text, position, phrase) in Self.refused {
            let error = LanguageTests.failure(text)
            if phrase.isEmpty {
                // Allowed and bounded: computed without materializing anything large.
                #expect(error == nil || error!.message.contains("more than"), "'\(text.prefix(40))': \(error?.message ?? "")")
                continue
            }
            LanguageTests.expectRefused(text, at: position, saying: phrase)
        }
    }

    /// Ranges at the ends of the 64-bit ints: counted, walked and searched without overflow
    /// (values from Python 3.11).
    @Test func rangesAtTheIntLimits() throws {
        let dict = try LanguageTests.load("""
            n = len(range(-9223372036854775807, 9223372036854775807, 2))
            found = 5 in range(-9223372036854775807, 9223372036854775807, 2)
            walk = list(range(-9223372036854775806, 9223372036854775807, 4611686018427387904))
            back = list(range(9223372036854775807, -9223372036854775807, -4611686018427387904))
            empty = bool(range(5, 5))
            big = bool(range(-9223372036854775807, 9223372036854775807))
            """)
        #expect(dict["n"] == .int(9_223_372_036_854_775_807))
        #expect(dict["found"] == true && dict["empty"] == false && dict["big"] == true)
        #expect(dict["walk"] == [-9_223_372_036_854_775_806, -4_611_686_018_427_387_902, 2, 4_611_686_018_427_387_906])
        #expect(dict["back"] == [9_223_372_036_854_775_807, 4_611_686_018_427_387_903, -1, -4_611_686_018_427_387_905])
        #expect(LanguageTests.failure("x = len(range(-9223372036854775807, 9223372036854775807))")?.message.contains("range too large") == true)
        #expect(LanguageTests.failure("x = list(enumerate([1, 2], 9223372036854775807))")?.message.contains("64-bit") == true)
        #expect(LanguageTests.failure("x = '%d' % 1e300")?.message.contains("64-bit integer") == true)
    }

    /// Inputs a review found to trap, hang or differ from Python 3.11 (values from Python).
    @Test func reviewedEdgeCasesMatchPython() throws {
        let dict = try LanguageTests.load("""
            a = [1, 2, 3][1::9223372036854775807]
            b = [] * 9223372036854775807
            c = '' * 9223372036854775807
            d = '%*d|' % (-5, 1)
            e = '%.3d' % 5
            f = f'{123456.0:.6}'
            g = '{:.2%}'.format(float('nan'))
            h = '{:05c}'.format(65)
            i = '{!a}'.format('é')
            j = ' a b '.split(None, 1)
            k = ' a b '.rsplit(None, 1)
            l = round(5.0, -400)
            m = round(2.5e300, -300)
            n = 9223372036854775807 == 9223372036854775807 + 0.0
            o = 9223372036854775807 < 9223372036854775807 + 0.0
            p = int('-9223372036854775808', 10)
            q = dict(['ab', 'cd'])
            r = 'a\\x1cb'.split()
            s = 'ß'.title()
            t = 'aaaa'.rsplit('aa')
            u = [round(15.0, -1), round(25.0, -1), round(149.99999, -2), round(0.125, 2)]
            v = '{:08,}'.format(1234)
            w = "it's".title()
            x = ('a' * 100000).find('a' * 50000 + 'b')
            """)
        let expected: [(String, ConfigValue)] = [
            ("a", [2]), ("b", .list([])), ("c", ""), ("d", "1    |"), ("e", "005"), ("f", "1.23456e+05"), ("g", "nan%"),
            ("h", "0000A"), ("i", "'\\xe9'"), ("j", ["a", "b "]), ("k", [" a", "b"]), ("l", .double(0)), ("m", .double(3e300)),
            ("n", false), ("o", true), ("p", .int(Int.min)), ("q", ["a": "b", "c": "d"]), ("r", ["a", "b"]), ("s", "Ss"),
            ("t", ["", "", ""]), ("u", [.double(20), .double(20), .double(100), .double(0.12)]), ("v", "0,001,234"),
            ("w", "It'S"), ("x", -1),
        ]
        for (key, value) in expected { #expect(dict[key] == value, "\(key): \(dict[key].map { $0.description } ?? "missing")") }
        let refused: [(String, String)] = [
            ("x = int('--5', 10)", "invalid literal"),
            ("x = '%c' % 1.5", "%c requires an int"),
            ("x = '{} {1}'.format(1, 2)", "cannot switch"),
            ("x = '{:,x}'.format(1)", "Cannot specify ','"),
            ("x = f'{5:.3}'", "Precision not allowed"),
            ("x = f\"{1:{1:{1}}}\"", "nested too deeply"),
            ("x = " + String(repeating: "1 if 1 else ", count: 5000) + "1", "nested too deeply"),
            ("x = [1 for a in [1]" + String(repeating: " if 1", count: 300) + "]", "more than 200 clauses"),
            ("x = len(('a' * 600).replace('a', 'b' * 10 ** 6))", "more than 1000000 elements"),
            ("x = len(('{0}' * 3000).format('x' * 1000000))", "4000000 bytes"),
            ("x = len(str([[[0] * 1000] * 1000] * 1000))", "2000000 parts"),
            ("a = [0] * 1000000\nb = [a, a, a]", "2000000 parts"),
            ("a = [0] * 1000000\ny = len([1 for _ in range(100000) if 5 in a])", "evaluation steps"),
            ("s = 'x' * 1000000\ny = [s[i] for i in range(1000000)]", "evaluation steps"),
        ]
        for (text, phrase) in refused { LanguageTests.expectRefused(text, at: nil, saying: phrase) }
    }

    /// Findings of a second review: each bounded (a located error within seconds) or equal to Python.
    @Test func secondReviewCases() throws {
        let dict = try LanguageTests.load("""
            a = len({(1,), (1.0,)})
            b = len({(True,), (1,)})
            c = set(range(30000)) == set(range(30000))
            d = f'{1:<05}'
            e = f'{1:010000,}'[:5]
            f = len(dict(**{str(i): 0 for i in range(100000)}))
            g = (1.0,) in {(1,)}
            """)
        #expect(dict["a"] == 1 && dict["b"] == 1 && dict["c"] == true && dict["d"] == "10000")
        #expect(dict["e"] == "0,000" && dict["f"] == 100_000 && dict["g"] == true)
        let refused: [(String, String)] = [
            ("S = set(range(1000))\nA = (S, S)", "cannot be an element of a list or tuple"),
            ("x = sorted(['a'] * 1000000, key=(' ' * 1000000).count)[0]", "evaluation steps"),
            ("x = list(map('x'.zfill, [1000000] * 300))", "evaluation steps"),
            ("x = len(sum([[0]] * 100000, []))", "use a comprehension"),
            ("L = ['x' * 15] * 1000000\ns = str(L)", "4000000 bytes"),
            ("x = '%x' % 3.5", "an integer is required"),
            ("x = round(1.7976931348623157e308, -308)", "too large"),
        ]
        for (text, phrase) in refused { LanguageTests.expectRefused(text, at: nil, saying: phrase) }
        // _base_ writes pay for the base they change; placeholders cannot multiply a base value.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("swiftdet-rv-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "x = list(range(1000))\na0 = [0, 0]\n".write(toFile: dir + "/b.py", atomically: true, encoding: .utf8)
        var doubling = "_base_ = './b.py'\n"
        for k in 1...30 { doubling += "_base_.a\(k) = [0, 0]\n_base_.a\(k)[0] = _base_.a\(k - 1)\n_base_.a\(k)[1] = _base_.a\(k - 1)\n" }
        let cases = [doubling, "_base_ = './b.py'\na = [{{_base_.x}}] * 400000\n"]
        for text in cases {
            do {
                _ = try ConfigLoader(environment: [:]).load(text: text, file: dir + "/m.py")
                Issue.record("accepted: \(text.prefix(60))")
            } catch let error as ConfigError {
                #expect(error.message.contains("more than"), "\(error.message)")
            }
        }
    }

    /// A `{{_base_.x}}` placeholder's token is a whole value only: iterated, called on, compared or
    /// formatted it is an error (mmengine would operate on its random token text).
    @Test func placeholderTokensAreNeverOperatedOn() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("swiftdet-ph-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "n = [1, 2, 3]\nx = 'abc'\n".write(toFile: dir + "/b.py", atomically: true, encoding: .utf8)
        func load(_ body: String) throws -> ConfigDict {
            try ConfigLoader(environment: [:]).load(text: "_base_ = './b.py'\n" + body + "\n", file: dir + "/m.py").dict
        }
        for body in ["y = [i for i in {{_base_.n}}]", "a = {{_base_.x}}\ny = a.upper()", "a = {{_base_.x}}\ny = a == 'abc'",
                     "a = {{_base_.x}}\ny = f'{a}'", "a = {{_base_.x}}\ny = a or 1", "a = {{_base_.n}}\ny = list(a)",
                     "a = {{_base_.n}}\ny = [*a]", "a = {{_base_.x}}\ny = not a"] {
            do {
                _ = try load(body)
                Issue.record("'\(body)' was accepted")
            } catch let error as ConfigError {
                #expect(error.message.contains("placeholder must be a whole value"), "'\(body)': \(error.message)")
            }
        }
        let stored = try load("a = {{_base_.n}}\ny = dict(k=a)\nz = [a, a]")
        #expect(stored["y"] == ["k": [1, 2, 3]] && stored["z"] == [[1, 2, 3], [1, 2, 3]])
    }

    /// The tools report `custom_imports` (Engine's ConfigFile.checkCustomImports); the loader keeps it as mmengine does.
    @Test func customImportsAreKeptForTheRunnerToReport() throws {
        let view = try Self.loader.load(file: Fixtures.path("python/24-user-chain/main.py"))
        let imports = try view.view("custom_imports")
        #expect(try imports.strings("imports") == ["my_project.datasets"])
    }
}
