import Config
import Foundation
import Testing

/// Inputs a fuzzing round found read differently from Python (or mmengine), each now read as
/// Python reads it or refused where it stands; the expected values are Python 3.11's.
@Suite struct EdgeInputTests {
    /// A source file's CRs never reach a string (Python reads files with universal newlines),
    /// in plain, raw and f-strings; a backslash before a brace in an f-string stays and the
    /// brace opens a field; a form feed starts a line's indentation over.
    @Test func sourceTextAsPythonReadsIt() throws {
        let crlf = "x = \"\"\"a\r\nb\"\"\"\r\ny = r\"\"\"c\\\r\nd\"\"\"\r\nz = f\"\"\"{1}\r\ne\"\"\"\r\nw = '''p\rq'''\r\n"
        #expect(try LanguageTests.load(crlf) == ["x": "a\nb", "y": "c\\\nd", "z": "1\ne", "w": "p\nq"])
        #expect(try LanguageTests.load("x = rf'\\{2}'\ny = f'\\{2}}}'\n") == ["x": "\\2", "y": "\\2}"])
        #expect(try LanguageTests.load("\u{0C}x = 1\n\u{0C}\ny = 2\n") == ["x": 1, "y": 2])
        LanguageTests.expectRefused("\u{0C} x = 1\n", at: "1:", saying: "unexpected indentation")
        LanguageTests.expectRefused("x = 1 \\\n", at: "1:7", saying: "unexpected end of file after the line continuation")
    }

    /// `zip(strict=True)` checks the lengths, with Python's message; `strict=False` truncates.
    @Test func zipStrict() throws {
        #expect(try LanguageTests.load("x = list(zip([1, 2], [3, 4], strict=True))\ny = list(zip([1], [2, 3], strict=False))\n")
                == ["x": [.tuple([1, 3]), .tuple([2, 4])], "y": [.tuple([1, 2])]])
        LanguageTests.expectRefused("x = list(zip([1], [2, 3], strict=True))\n", at: "1:10",
                                    saying: "zip() argument 2 is longer than argument 1")
        LanguageTests.expectRefused("x = list(zip([1, 2], [2, 3], [4], strict=1))\n", at: "1:10",
                                    saying: "zip() argument 3 is shorter than arguments 1-2")
        // Python's message is about where iteration stops, not the first length that differs.
        for (lists, message) in [("[1, 2, 3], [1, 2, 3, 4, 5], [1, 2]", "argument 3 is shorter than arguments 1-2"),
                                 ("[1, 2], [1], [1, 2, 3]", "argument 2 is shorter than argument 1"),
                                 ("[1], [2], [3, 4, 5]", "argument 3 is longer than arguments 1-2")] {
            LanguageTests.expectRefused("x = list(zip(\(lists), strict=True))\n", at: "1:10", saying: "zip() " + message)
        }
    }

    /// `%` formatting past the limits of `str.format` is refused, never cut to the limit.
    @Test func percentFormatLimits() throws {
        #expect(try LanguageTests.load("x = '%5.2f|%-4d|%.3s' % (1.5, 3, 'abcdef')\n") == ["x": " 1.50|3   |abc"])
        LanguageTests.expectRefused("x = '%2000000d' % 1\n", at: "1:", saying: "format width too large")
        LanguageTests.expectRefused("x = '%*d' % (10**9, 1)\n", at: "1:", saying: "format width too large")
        LanguageTests.expectRefused("x = '%.1500f' % 1.5\n", at: "1:", saying: "format precision too large")
    }

    static func jsonFailure(_ text: String) -> ConfigError? {
        do {
            _ = try ConfigDict(jsonText: text, name: "c.json")
            return nil
        } catch {
            return error as? ConfigError
        }
    }

    /// json-c clamps an integer past 64 bits and turns a lone surrogate escape into U+FFFD
    /// without a word; both are errors at the literal. The bounds themselves and whole
    /// surrogate pairs read as Python reads them.
    @Test func jsonLiteralsPythonKeepsApart() throws {
        let fine = try ConfigDict(jsonText: #"{"a": -9223372036854775808, "b": [9223372036854775807, 1.5e3, -0.5e-3], "s": "\u00e9\ud83d\ude00\\ud800"}"#)
        #expect(fine == ["a": .int(Int.min), "b": [.int(Int.max), 1500.0, -0.0005], "s": "é😀\\ud800"])
        // Infinity and NaN as json.dumps writes them (and ConfigDump does) still read.
        let special = try ConfigDict(jsonText: #"{"a": -Infinity, "b": [1,-Infinity, Infinity], "c": NaN}"#)
        #expect(special["a"] == .double(-.infinity) && special["b"] == [1, .double(-.infinity), .double(.infinity)]
                && special["c"]?.doubleValue?.isNaN == true)
        let refused: [(String, String, String)] = [
            (#"{"a": 99999999999999999999999}"#, "1:7", "integer 99999999999999999999999 does not fit in 64 bits"),
            ("{\"x\": 1,\n \"a\": [-9223372036854775809]}", "2:8", "integer -9223372036854775809 does not fit in 64 bits"),
            (#"{"a": 9223372036854775808}"#, "1:7", "does not fit in 64 bits"),
            (#"{"a": "x\ud800"}"#, "1:9", #"\uD800 is half of a UTF-16 surrogate pair"#),
            (#"{"a": "\udc00\ud800"}"#, "1:8", #"\uDC00 is half"#),
            (#"{"a": "\ud83dx"}"#, "1:8", #"\uD83D is half"#),
            // json-c takes a key in single quotes (Python's json does not), and the scan would lose
            // track of its strings after one.
            (#"{'k"': 1, "b": 99999999999999999999}"#, "1:2", "a string in single quotes"),
        ]
        for (text, position, phrase) in refused {
            let error = Self.jsonFailure(text)
            let at = error?.location.map { "\($0.line):\($0.column)" }
            #expect(at == position && error?.message.contains(phrase) == true, "\(text): \(error.map { "\($0)" } ?? "accepted")")
        }
    }

    /// A `--cfg-options` integer past 64 bits is an error naming the key, not a float.
    @Test func cfgOptionIntegerPast64Bits() throws {
        #expect(try CfgOptions.parse("a=9223372036854775807").value == .int(Int.max))
        #expect(try CfgOptions.parse("a=-9_223_372_036_854_775_808").value == .int(Int.min))
        #expect(try CfgOptions.parse("a=1e30").value == .double(1e30))
        for word in ["a=9223372036854775808", "a=[1,-9223372036854775809]"] {
            #expect {
                _ = try CfgOptions.parse(word)
            } throws: { error in
                let message = (error as? ConfigError)?.message ?? ""
                return message.contains("does not fit in 64 bits") && message.contains("in the value of a")
            }
        }
    }
}
