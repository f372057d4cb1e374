import Config
import Testing

/// YAML configs read as PyYAML (YAML 1.1) reads them, beyond what fixture tree 11 covers.
@Suite struct YAMLTests {
    static func load(_ text: String) throws -> ConfigDict {
        try ConfigLoader(environment: [:]).load(text: text, file: "/nonexistent/c.yaml").dict
    }

    @Test func scalarsFollowPyYAML() throws {
        let dict = try Self.load("""
            a: [0o17, 1_000, +1, 0b101, 010, 08, '1:30', 1:30, 12:30, 190:20:30]
            b: [.inf, -.inf, .NaN, 1e3, 1.0e+3, 1., -1.5, 6.8523015e+5, 685.230_15e+03, 1:30.5]
            c: [yes, Off, ON, n, y, TRUE, 'yes', ~, null, Null, "", '']
            d:
            e: !!str 12
            f: !!float 3
            g: &anchor {x: 1}
            h: *anchor
            i: |
              two
              lines
            """)
        #expect(dict["a"] == ["0o17", 1000, 1, 5, 8, "08", "1:30", 90, 750, 685_230])
        let b = try #require(dict["b"]?.elements)
        #expect(b[0] == .double(.infinity) && b[1] == .double(-.infinity) && b[2].doubleValue?.isNaN == true)
        #expect(Array(b[3...]) == ["1e3", 1000.0, 1.0, -1.5, 685230.15, 685230.15, 90.5])
        #expect(dict["c"] == [true, false, true, "n", "y", true, "yes", nil, nil, nil, "", ""])
        #expect(dict["d"] == ConfigValue.none)
        #expect(dict["e"] == "12" && dict["f"] == 3.0)
        #expect(dict["g"] == ["x": 1] && dict["h"] == ["x": 1])
        #expect(dict["i"] == "two\nlines")  // no line break after the last line in the text
    }

    @Test func refusedConstructsAreLocatedErrors() {
        let cases: [(String, String, String)] = [
            ("a: 1\nb: !!python/tuple [1, 2]\n", "2:4", "tag"),
            ("base: &b {x: 1}\nchild:\n  <<: *b\n", "3:3", "merge keys"),
            ("day: 2024-01-05\n", "1:6", "timestamps"),
            ("1: one\n", "1:1", "mapping keys must be strings"),
            ("a: *missing\n", "1:4", "undefined alias"),
            ("a: 1\n---\nb: 2\n", "2:1", "one document"),
            ("- 1\n- 2\n", "0:0", "must be a mapping"),
            ("a: 99999999999999999999\n", "1:4", "64 bits"),
            ("a: [1, 2\n", "2:1", "YAML syntax error"),
        ]
        for (text, position, phrase) in cases {
            do {
                _ = try Self.load(text)
                Issue.record("'\(text)' was accepted")
            } catch {
                let e = error as? ConfigError
                let at = e?.location.map { "\($0.line):\($0.column)" } ?? "-"
                #expect(at == position, "'\(text)': at \(at), expected \(position): \(e?.message ?? "")")
                #expect(e?.message.contains(phrase) == true, "'\(text)': '\(e?.message ?? "")' should mention \(phrase)")
            }
        }
    }

    @Test func deepYAMLAndJSONAreRefusedNotCrashing() {
        let deepYAML = "a: " + String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000) + "\n"
        #expect(throws: ConfigError.self) { try Self.load(deepYAML) }
        let deepJSON = "{\"a\": " + String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000) + "}"
        #expect(throws: ConfigError.self) {
            try ConfigLoader(environment: [:]).load(text: deepJSON, file: "/nonexistent/c.json")
        }
        let billion = "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n" + (1...8).map { "l\($0): &l\($0) [" + String(repeating: "*\($0 == 1 ? "a" : "l\($0 - 1)"), ", count: 10) + "]" }.joined(separator: "\n") + "\n"
        #expect(throws: ConfigError.self) { try Self.load(billion) }
    }
}
