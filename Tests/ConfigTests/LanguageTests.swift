import Config
import Foundation
import Testing

/// The Python subset beyond the fixtures: what else it accepts, and how each construct
/// outside it is refused (with its position).
@Suite struct LanguageTests {
    static func load(_ text: String) throws -> ConfigDict {
        try ConfigLoader(environment: [:]).load(text: text, file: "/nonexistent/cfg.py").dict
    }

    static func failure(_ text: String) -> ConfigError? {
        do {
            _ = try load(text)
            return nil
        } catch {
            return error as? ConfigError
        }
    }

    @Test func acceptedForms() throws {
        let dict = try Self.load("""
            '''A module docstring is evaluated and dropped.'''
            a = b = 3; c = 0x1F + 0o17 + 0b101
            long = 1 + \\
                2
            raw = r'C:\\dir\\n' + u'x'
            tri = \"\"\"two
            lines\"\"\"
            pair = 1, 2
            rep = 'ab' * 2
            lst = [0] * 3
            neg = -pair[-1]
            sl = 'orchard'[-4:]
            nested = dict(a=dict(b=[1, {'c': 2}]))
            deep = nested.a.b[1]['c']
            sci = 1_000.5e-1_0
            """)
        #expect(dict["a"] == 3 && dict["b"] == 3)
        #expect(dict["c"] == .int(31 + 15 + 5))
        #expect(dict["long"] == 3)
        #expect(dict["raw"] == "C:\\dir\\nx")
        #expect(dict["tri"] == "two\nlines")
        #expect(dict["pair"] == .tuple([1, 2]))
        #expect(dict["rep"] == "abab" && dict["lst"] == [0, 0, 0])
        #expect(dict["neg"] == -2 && dict["sl"] == "hard")
        #expect(dict["deep"] == 2)
        #expect(dict["sci"] == .double(1000.5e-10))
        #expect(dict.keys == ["a", "b", "c", "long", "raw", "tri", "pair", "rep", "lst", "neg", "sl", "nested", "deep", "sci"])
    }

    /// Each rejected construct: the text, the line:column, and a phrase of the message.
    static let rejected: [(String, String, String)] = [
        ("x = 1 if True", "1:14", "expected 'else'"),
        ("x = {1, 2}", "1:1", "holds a set"),
        ("x = (i for i in [1])", "1:1", "holds a generator"),
        ("x = range(3)", "1:1", "holds a range"),
        ("x = len", "1:1", "holds a builtin_function_or_method"),
        ("class A:\n    pass", "1:1", "class definitions"),
        ("for i in []:\n    pass", "1:1", "'for' loops"),
        ("x = 1\nx += 1", "2:3", "augmented assignment"),
        ("x: int = 1", "1:2", "annotations"),
        ("x = dict(1)", "1:5", "'int' object is not iterable"),
        ("x = b'abc'", "1:5", "bytes literals"),
        ("x = 1j", "1:5", "complex numbers"),
        ("x = 01", "1:5", "leading zeros"),
        ("m = dict(a=1)\nm.a = 2", "2:1", "only names and _base_ paths"),
        ("a, b = 1, 2, 3", "1:1", "too many values to unpack (expected 2)"),
        ("a, b, c = 1, 2", "1:1", "not enough values to unpack (expected 3, got 2)"),
        ("a, *b, *c = 1, 2", "1:8", "multiple starred expressions"),
        ("x = lambda: 1", "1:5", "'lambda' is not allowed"),
        ("def f():\n    return 1", "1:1", "function definitions"),
        ("x = 1 | 2", "1:7", "operator '|'"),
        ("x = 2 ** 64", "1:7", "integer overflow"),
        ("x = 1 // 0", "1:7", "integer division or modulo by zero"),
        ("x = 1.5 % 0", "1:9", "float division by zero"),
        ("x = [1][::0]", "1:9", "slice step cannot be zero"),
        ("x = 'a' < 1", "1:11", "'<' not supported between instances of 'str' and 'int'"),
        ("x = 'a' is 'a'", "1:12", "'is' compares object identity"),
        ("x = [].append(1)", "1:8", "change a value in place"),
        ("x = (1).real", "1:9", "no attribute 'real'"),
        ("x = int('a')", "1:5", "invalid literal for int() with base 10: 'a'"),
        ("x = max([])", "1:5", "max() arg is an empty sequence"),
        ("x = '%d' % 'a'", "1:10", "%d format: a real number is required, not str"),
        ("x = '%s %s' % (1,)", "1:13", "not enough arguments for format string"),
        ("x = '{}'.format()", "1:10", "Replacement index 0 out of range"),
        ("x = f'{y=}'", "1:9", "self-documenting"),
        ("x = f'{ }'", "1:7", "empty expression"),
        ("x = f'{1!z}'", "1:10", "invalid conversion character"),
        ("x = f'{1'", "1:9", "f-string: expecting '}' for the '{' at 1:7"),
        ("x = f'a}'", "1:8", "single '}'"),
        ("x = f'{\\n}'", "1:8", "backslash"),
        ("x = {1: 2}", "1:6", "dict keys must be strings"),
        ("x = [i for i, j in [1]]", "1:12", "cannot unpack"),
        ("x = dict(a=1, **dict(a=2))", "1:17", "multiple values for keyword argument 'a'"),
        ("x = sorted([1, 'a'])", "1:5", "'<' not supported"),
        ("x = 'a'.nope()", "1:9", "it has no attribute 'nope'"),
        ("_base_ = 1", "1:10", "_base_ must be a string"),
        ("x = 1 / 0", "1:7", "division by zero"),
        ("x = 'a' + 1", "1:9", "unsupported operand types for +: 'str' and 'int'"),
        ("x = 9223372036854775807 + 1", "1:25", "integer overflow"),
        ("x = 99999999999999999999", "1:5", "integer literal too large"),
        ("x = [1, 2][5]", "1:12", "index 5 is out of range"),
        ("x = dict(a=1).b", "1:15", "has no key 'b'"),
        ("x = dict(a=1)\ny = x.aa", "2:7", "did you mean 'a'"),
        ("x = 'abc\\N{DASH}'", "1:9", "named unicode escapes"),
        ("x = '\\x4'", "1:6", "truncated escape"),
        ("x = 1\n\ny = (", "3:5", "never closed"),
        ("x = ]", "1:5", "unmatched ']'"),
        ("x = 1 $ 2", "1:7", "unexpected character '$'"),
        ("x = {'a': 1}\ny = {x: 2}", "2:6", "dict keys must be strings"),
        ("x = {{_base_.a}}[0]", "1:5", "whole value"),
        ("x = {{_base_.a}}.b", "1:5", "whole value"),
        ("x = -{{_base_.a}}", "1:6", "whole value"),
        ("x = {{{_base_.a}}: 1}", "1:6", "cannot be a dict key"),
        ("x = {{_base_.a}}\ny = x + 1", "2:5", "whole value"),
        ("text = 1", "1:1", "reserved key"),
        ("dict(a=1, a=2)", "1:11", "given twice"),
        ("x = dict(class=1)", "1:10", "Python keyword"),
        ("x = 1 2", "1:7", "expected the end of the statement"),
        ("x = y", "1:5", "name 'y' is not defined"),
        ("x = -'a'", "1:5", "bad operand type for unary -"),
        ("_base_.a.b = 1", "1:8", "_base_ has no key 'a'"),
    ]

    @Test func rejectedConstructs() {
        for (text, position, phrase) in Self.rejected { Self.expectRefused(text, at: position, saying: phrase) }
    }

    /// `text` fails with a message containing `phrase`, at line:column `position` (a prefix of
    /// it, "1:" for any column of line 1), or anywhere with a line when `position` is nil.
    static func expectRefused(_ text: String, at position: String?, saying phrase: String,
                              sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let shown = String(text.prefix(60))
        guard let error = failure(text) else {
            Issue.record("'\(shown)' was accepted", sourceLocation: sourceLocation)
            return
        }
        let at = error.location.map { "\($0.line):\($0.column)" } ?? "-"
        if let position {
            #expect(at == position || (position.hasSuffix(":") && at.hasPrefix(position)),
                    "'\(shown)': at \(at), expected \(position) (\(error.message))", sourceLocation: sourceLocation)
        } else {
            #expect((error.location?.line ?? 0) >= 1, "'\(shown)': no position", sourceLocation: sourceLocation)
        }
        #expect(error.message.contains(phrase), "'\(shown)': '\(error.message)' should mention \(phrase)", sourceLocation: sourceLocation)
    }

    @Test func pythonFloatRepr() {
        let cases: [(Double, String)] = [
            (0.0, "0.0"), (-0.0, "-0.0"), (2.0, "2.0"), (0.1 + 0.2, "0.30000000000000004"), (1e-4, "0.0001"),
            (1e-5, "1e-05"), (1.5e-5, "1.5e-05"), (1e15, "1000000000000000.0"), (1e16, "1e+16"),
            (9_007_199_254_740_992, "9007199254740992.0"), (123_456_789_012_345_680, "1.2345678901234568e+17"),
            (.leastNonzeroMagnitude, "5e-324"), (1.7976931348623157e308, "1.7976931348623157e+308"), (-2.5e-7, "-2.5e-07"),
            (1.0 / 9.0, "0.1111111111111111"), (.infinity, "inf"), (-.infinity, "-inf"),
        ]
        for (value, text) in cases {
            #expect(PythonNumbers.repr(value) == text, "repr(\(value))")
        }
    }

    @Test func pythonIntAndFloatFromText() {
        #expect(PythonNumbers.parseInt(" 1_000\t") == 1000)
        #expect(PythonNumbers.parseInt("010") == 10)
        #expect(PythonNumbers.parseInt("1__0") == nil && PythonNumbers.parseInt("_1") == nil)
        #expect(PythonNumbers.parseInt("-9223372036854775808") == Int.min)
        #expect(PythonNumbers.parseInt("0x10") == nil)
        #expect(PythonNumbers.parseFloat("1.") == 1 && PythonNumbers.parseFloat(".5") == 0.5)
        #expect(PythonNumbers.parseFloat("-Infinity") == -.infinity)
        #expect(PythonNumbers.parseFloat("1e") == nil && PythonNumbers.parseFloat(".") == nil)
    }

    @Test func environmentVariablesComeFromTheLoader() throws {
        let text = "root = '{{$SWIFTDET_ROOT:data/}}'\nn = {{'$SWIFTDET_N:3'}}\n# {{$SWIFTDET_ROOT:x}} in a comment\n"
        let unset = try ConfigLoader(environment: [:]).load(text: text, file: "/x/c.py").dict
        #expect(unset == ["root": "data/", "n": 3])
        let set = try ConfigLoader(environment: ["SWIFTDET_ROOT": "/mnt/", "SWIFTDET_N": "4.5"]).load(text: text, file: "/x/c.py").dict
        #expect(set == ["root": "/mnt/", "n": 4.5])
    }

    @Test func errorsPointAtTheOriginalTextAfterSubstitutions() {
        // the file-variable text is long; the error column must refer to the line as written
        let text = "a = '{{ fileDirname }}{{ fileDirname }}'\nb = (1 +)\n"
        let error = Self.failure(text)
        #expect(error?.location?.line == 2 && error?.location?.column == 9)
        let sameLine = "a = '{{ fileDirname }}' + )\n"
        #expect(Self.failure(sameLine)?.location?.column == 27)
    }
}
