import Foundation

/// The numbers of an mmengine `scalars.json` (what `LocalVisBackend.add_scalars` appends):
/// one JSON object per line, training lines like {"lr": 0.02, "loss": 1.23, "epoch": 1,
/// "iter": 50, "step": 50} with `step` the global iteration, validation lines like
/// {"coco/bbox_mAP": 0.3, "step": 1} with `step` the epoch. Python writes a non-finite value
/// as NaN/Infinity, which is read (and then left out of plots) rather than rejected.
public struct ScalarLog: Sendable {
    /// One line of the file: its 1-based line number and its numeric fields (booleans,
    /// strings and nulls are dropped).
    public struct Record: Sendable, Equatable {
        public var line: Int
        public var values: [String: Double]
    }

    public let path: String
    public let records: [Record]

    /// Reads and parses the file at `path`.
    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw VisualizationError.unreadable(path: path, reason: "no such file or not readable")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw VisualizationError.unreadable(path: path, reason: "not UTF-8 text")
        }
        try self.init(text: text, path: path)
    }

    /// Parses JSON-lines `text`; `path` names the source in errors. Blank lines are skipped.
    public init(text: String, path: String) throws {
        var records: [Record] = []
        var number = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            if line.allSatisfy(\.isWhitespace) { continue }
            records.append(Record(line: number, values: try Self.parse(String(line), path: path, line: number)))
        }
        self.path = path
        self.records = records
    }

    /// Every key that occurs in some line, sorted.
    public var keys: [String] { Set(records.flatMap(\.values.keys)).sorted() }

    /// (step, value) of each line that has `key`, in file order; non-finite values are left out.
    public func series(_ key: String) -> [(step: Double, value: Double)] {
        records.compactMap { r in
            guard let v = r.values[key], v.isFinite, let step = r.values["step"] else { return nil }
            return (step, v)
        }
    }

    /// "iter" when the lines holding `key` are training lines (they carry "iter"), "epoch" when
    /// none of them do (validation lines, whose step is the epoch), nil when mixed or absent.
    public func stepUnit(for key: String) -> String? {
        let lines = records.filter { $0.values[key] != nil }
        if lines.isEmpty { return nil }
        let withIter = lines.filter { $0.values["iter"] != nil }.count
        return withIter == lines.count ? "iter" : withIter == 0 ? "epoch" : nil
    }

    static func parse(_ line: String, path: String, line number: Int) throws -> [String: Double] {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(line.utf8))
        } catch {
            let rewritten = replacingNonFiniteTokens(line)
            guard rewritten.nonFinite > 0, let retried = try? JSONSerialization.jsonObject(with: Data(rewritten.text.utf8)) else {
                throw VisualizationError.malformedLine(path: path, line: number, reason: reason(error))
            }
            object = retried
        }
        guard let dict = object as? [String: Any] else {
            throw VisualizationError.malformedLine(path: path, line: number, reason: "a JSON value but not an object")
        }
        var values: [String: Double] = [:]
        for (key, value) in dict {
            if let n = value as? NSNumber, n.objCType.pointee != CChar(UInt8(ascii: "c")) {
                values[key] = n.doubleValue
            } else if let s = value as? String, let marker = nonFiniteMarkers[s] {
                values[key] = marker
            }
        }
        guard values["step"] != nil else {
            throw VisualizationError.malformedLine(path: path, line: number, reason: "no numeric \"step\"")
        }
        return values
    }

    private static let nonFiniteMarkers: [String: Double] = [
        "\u{1}NaN": .nan, "\u{1}Infinity": .infinity, "\u{1}-Infinity": -.infinity,
    ]

    /// The line with Python's bare NaN, Infinity and -Infinity tokens (outside strings) turned
    /// into marker strings that `parse` maps back, and how many were replaced.
    static func replacingNonFiniteTokens(_ line: String) -> (text: String, nonFinite: Int) {
        var out = "", count = 0
        var inString = false, escaped = false
        var rest = Substring(line)
        while let c = rest.first {
            if inString {
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inString = false }
            } else if c == "\"" {
                inString = true
            } else if let token = ["-Infinity", "Infinity", "NaN"].first(where: { rest.hasPrefix($0) }) {
                out += "\"\\u0001\(token)\""
                count += 1
                rest = rest.dropFirst(token.count)
                continue
            }
            out.append(c)
            rest = rest.dropFirst()
        }
        return (out, count)
    }

    private static func reason(_ error: Error) -> String {
        let ns = error as NSError
        return (ns.userInfo[NSDebugDescriptionErrorKey] as? String) ?? ns.localizedDescription
    }
}
