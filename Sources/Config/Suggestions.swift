/// "Did you mean ...?" for unknown names, keys and registry types: the candidates closest by
/// edit distance (case differences cost little), within a distance that grows with the length.
public enum Suggestions {
    /// The closest candidate, if any is close enough.
    public static func closest(to word: String, among candidates: [String]) -> String? {
        closest(to: word, among: candidates, limit: 1).first
    }

    /// Up to `limit` candidates, closest first (ties keep the candidates' order).
    public static func closest(to word: String, among candidates: [String], limit: Int) -> [String] {
        let target = Array(word.unicodeScalars)
        guard !target.isEmpty else { return [] }
        let threshold = max(2, (target.count + 1) / 2) * 2  // in half-units (a case change costs 1)
        var scored: [(Int, Int, String)] = []
        for (order, candidate) in candidates.enumerated() where candidate != word {
            let d = distance(target, Array(candidate.unicodeScalars))
            let prefix = candidate.hasPrefix(word) || word.hasPrefix(candidate)
            if d <= threshold || (prefix && min(candidate.count, word.count) >= 3) {
                scored.append((d, order, candidate))
            }
        }
        scored.sort { ($0.0, $0.1) < ($1.0, $1.1) }
        return scored.prefix(limit).map(\.2)
    }

    /// Levenshtein distance in half-units: substituting a letter by the same letter in the
    /// other case costs 1, any other edit 2.
    static func distance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty { return 2 * b.count }
        if b.isEmpty { return 2 * a.count }
        var previous = Array(stride(from: 0, through: 2 * b.count, by: 2))
        var row = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            row[0] = 2 * i
            for j in 1...b.count {
                let substitution: Int
                if a[i - 1] == b[j - 1] {
                    substitution = 0
                } else if a[i - 1].properties.lowercaseMapping == b[j - 1].properties.lowercaseMapping {
                    substitution = 1
                } else {
                    substitution = 2
                }
                row[j] = min(previous[j - 1] + substitution, previous[j] + 2, row[j - 1] + 2)
            }
            swap(&previous, &row)
        }
        return previous[b.count]
    }
}
