/// Runs a parsed config file the way mmengine executes one: statements in order, every name
/// a key of the result (in order of first assignment), `_base_` bound to the merged bases and
/// writable in place (`_base_.a.b = v`). Values are values: assigning copies (reference §1.1).
/// Placeholders evaluate to tokens that the loader resolves once the file has run.
struct PyEvaluator {
    /// A value with its nesting depth, which stays within `maxDepth`.
    typealias Evaluated = (value: ConfigValue, depth: Int)

    let source: SourceText
    let maxDepth: Int
    /// The merged bases, written in place by `_base_.x = v`.
    var base: ConfigDict
    /// This file's names, in order of first assignment.
    var names = ConfigDict()
    var placeholders = PlaceholderTable()
    /// Offset of the last assignment to each name (merge errors point there).
    var nameOffsets: [String: Int] = [:]
    private var nameDepths: [String: Int] = [:]

    /// mmengine refuses these as top-level keys (they are attributes of its Config object).
    static let reservedKeys = ["filename", "text", "pretty_text", "env_variables"]

    init(source: SourceText, maxDepth: Int, base: ConfigDict, placeholders: PlaceholderTable) {
        self.source = source
        self.maxDepth = maxDepth
        self.base = base
        self.placeholders = placeholders
    }

    mutating func run(_ module: PyModule) throws {
        for statement in module.statements {
            switch statement {
            case .expression(let e):
                _ = try evaluate(e)
            case .assign(let targets, let valueExpr, let offset):
                let result = try evaluate(valueExpr)
                for target in targets { try assign(result, to: target, statementOffset: offset) }
            }
        }
    }

    private mutating func assign(_ result: Evaluated, to target: PyTarget, statementOffset: Int) throws {
        switch target {
        case .name(let name, _):
            if Self.reservedKeys.contains(name) {
                throw source.error(.name,
                    "'\(name)' is a reserved key (reserved: \(Self.reservedKeys.joined(separator: ", ")))", at: statementOffset)
            }
            names[name] = result.value
            nameDepths[name] = result.depth
            nameOffsets[name] = statementOffset
        case .basePath(let accesses, _):
            guard accesses.count + result.depth <= maxDepth else {
                throw source.error(.limit, "value nested too deeply (more than \(maxDepth) levels)", at: statementOffset)
            }
            var steps: [BaseWrite.Step] = []
            for access in accesses {
                switch access {
                case .attribute(let name, let offset): steps.append(.init(key: .string(name), offset: offset, isAttribute: true))
                case .index(let e, let offset): steps.append(.init(key: try evaluate(e).value, offset: offset, isAttribute: false))
                }
            }
            var root = ConfigValue.dict(base)
            base = ConfigDict()
            defer { if case .dict(let d) = root { base = d } }
            try BaseWrite(source: source, steps: steps).write(result.value, into: &root, at: 0)
        }
    }

    // MARK: - Expressions

    mutating func evaluate(_ e: PyExpr) throws -> Evaluated {
        switch e.kind {
        case .constant(let v):
            return (v, v.elements == nil ? 0 : 1)
        case .name(let name):
            return try lookup(name, at: e.offset)
        case .placeholder(let path):
            return (.string(placeholders.add(path: path, offset: e.offset)), 0)
        case .list(let items):
            let values = try items.map { try evaluate($0) }
            return try container(.list(values.map(\.value)), values.map(\.depth), at: e.offset)
        case .tuple(let items):
            let values = try items.map { try evaluate($0) }
            return try container(.tuple(values.map(\.value)), values.map(\.depth), at: e.offset)
        case .dictCall(let keywords):
            var dict = ConfigDict()
            var depths: [Int] = []
            for keyword in keywords {
                let v = try evaluate(keyword.value)
                dict[keyword.name] = v.value
                depths.append(v.depth)
            }
            return try container(.dict(dict), depths, at: e.offset)
        case .dictDisplay(let pairs):
            return try dictDisplay(pairs, at: e.offset)
        case .attribute(let inner, let name):
            let owner = try evaluate(inner)
            return try PyAccessRead(source: source, maxDepth: maxDepth).attribute(owner.value, name, of: inner, at: e.offset)
        case .index(let inner, let index):
            let owner = try evaluate(inner)
            let key = try evaluate(index).value
            return try PyAccessRead(source: source, maxDepth: maxDepth).item(owner.value, key, of: inner, at: e.offset)
        case .slice(let inner, let lower, let upper):
            let owner = try evaluate(inner).value
            let lo = try lower.map { try evaluate($0).value }
            let hi = try upper.map { try evaluate($0).value }
            return try PyAccessRead(source: source, maxDepth: maxDepth).slice(owner, lo, hi, of: inner, at: e.offset)
        case .unary(let op, let inner):
            let v = try evaluate(inner).value
            try rejectToken(v, at: inner.offset)
            do { return (try PyArithmetic.unary(op, v), 0) } catch { throw source.error(.evaluation, error.message, at: e.offset) }
        case .binary(let op, let lhs, let rhs):
            let a = try evaluate(lhs), b = try evaluate(rhs)
            try rejectToken(a.value, at: lhs.offset)
            try rejectToken(b.value, at: rhs.offset)
            do {
                return (try PyArithmetic.binary(op, a.value, b.value), max(a.depth, b.depth))
            } catch {
                throw source.error(.evaluation, error.message, at: e.offset)
            }
        }
    }

    private mutating func dictDisplay(_ pairs: [(key: PyExpr, value: PyExpr)], at offset: Int) throws -> Evaluated {
        var dict = ConfigDict()
        var depths: [Int] = []
        for pair in pairs {
            let key = try evaluate(pair.key).value
            guard case .string(let k) = key, PlaceholderTable.index(ofToken: k) == nil else {
                throw source.error(.evaluation, "dict keys must be strings, got \(key.typeName) \(key.brief)", at: pair.key.offset)
            }
            let v = try evaluate(pair.value)
            dict[k] = v.value  // a repeated key keeps its first position and takes the last value
            depths.append(v.depth)
        }
        return try container(.dict(dict), depths, at: offset)
    }

    private func container(_ value: ConfigValue, _ depths: [Int], at offset: Int) throws -> Evaluated {
        let depth = (depths.max() ?? 0) + 1
        guard depth <= maxDepth else {
            throw source.error(.limit, "value nested too deeply (more than \(maxDepth) levels)", at: offset)
        }
        return (value, depth)
    }

    /// A placeholder token used as an operand (through a name) is as misplaced as a
    /// placeholder written in the expression.
    private func rejectToken(_ v: ConfigValue, at offset: Int) throws {
        if case .string(let s) = v, PlaceholderTable.index(ofToken: s) != nil {
            throw source.error(.placeholder,
                "a {{_base_...}} placeholder must be a whole value, not part of an expression; write _base_.x instead", at: offset)
        }
    }

    private func lookup(_ name: String, at offset: Int) throws -> Evaluated {
        if let v = names[name] { return (v, nameDepths[name] ?? 0) }
        if name == "_base_" {
            return (.dict(base), ValueDepth.of(.dict(base), limit: maxDepth))
        }
        if base.contains(name) {
            throw source.error(.name,
                "name '\(name)' is not defined in this file; a base's value is reached as _base_.\(name) or {{_base_.\(name)}}",
                at: offset)
        }
        var message = "name '\(name)' is not defined"
        if let guess = Suggestions.closest(to: name, among: names.keys) { message += " (did you mean '\(guess)'?)" }
        throw source.error(.name, message, at: offset)
    }
}

/// Nesting depth of a value (scalars 0), counted up to `limit + 1`.
enum ValueDepth {
    static func of(_ value: ConfigValue, limit: Int) -> Int {
        switch value {
        case .list(let items), .tuple(let items):
            var deepest = 0
            for item in items where item.elements != nil || item.dictValue != nil {
                deepest = max(deepest, of(item, limit: limit))
                if deepest > limit { break }
            }
            return deepest + 1
        case .dict(let dict):
            var deepest = 0
            for item in dict.values where item.elements != nil || item.dictValue != nil {
                deepest = max(deepest, of(item, limit: limit))
                if deepest > limit { break }
            }
            return deepest + 1
        default:
            return 0
        }
    }
}
