/// Runs a parsed config file the way mmengine executes one: statements in order, every name
/// a key of the result (in order of first assignment), `_base_` bound to the merged bases and
/// writable in place (`_base_.a.b = v`). Values are values: assigning copies (reference §1.1).
/// Placeholders evaluate to tokens that the loader resolves once the file has run.
///
/// Evaluation is bounded: every expression node, loop iteration and element built or walked
/// counts against `PyLimits.maxSteps`; no value grows past `PyLimits.maxValueSize` parts (nor
/// a sequence past `maxElements`, a string past `maxTextBytes`); nesting stays within
/// `maxDepth`. So no config can run long, allocate without bound or recurse deeply.
struct PyEvaluator {
    /// An object with its nesting depth, which stays within `maxDepth`.
    typealias Evaluated = (object: PyObject, depth: Int)

    let source: SourceText
    let maxDepth: Int
    /// The merged bases, written in place by `_base_.x = v`.
    var base: ConfigDict
    /// This file's names bound to config values, in order of first assignment.
    var names = ConfigDict()
    var placeholders = PlaceholderTable()
    /// Offset of the last assignment to each name (merge errors point there).
    var nameOffsets: [String: Int] = [:]
    var nameDepths: [String: Int] = [:]
    /// Names bound to objects that are not config values (modules, functions, sets, ...).
    var objects: [String: PyObject] = [:]
    /// The variables of the comprehensions being evaluated, innermost last.
    var scopes: [[String: Evaluated]] = []
    /// Steps paid, shared by every file of one load.
    let budget: PyBudget
    /// The depth of `base`, computed on first use after each change.
    private var baseDepth: Int?

    /// mmengine refuses these as top-level keys (they are attributes of its Config object).
    static let reservedKeys = ["filename", "text", "pretty_text", "env_variables"]

    init(source: SourceText, maxDepth: Int, base: ConfigDict, placeholders: PlaceholderTable, budget: PyBudget = PyBudget()) {
        self.budget = budget
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
            case .importName(let name, let object, let offset):
                let bound: PyObject = object == "os" || object == "os.path" ? .module(object) : .function(object)
                try bind(name, (bound, 0), statementOffset: offset)
            }
        }
        // mmengine drops modules and Python functions from the result; any other object would
        // stay in its config and not survive a dump.
        for name in objects.keys.sorted() where !name.hasPrefix("__") {
            switch objects[name]! {
            case .module, .function: continue
            case let other:
                throw source.error(.evaluation,
                    "'\(name)' holds a \(other.typeName), which is not a config value (use list(...), sorted(...) or a literal)",
                    at: nameOffsets[name] ?? 0)
            }
        }
    }

    private mutating func bind(_ name: String, _ result: Evaluated, statementOffset: Int) throws {
        if Self.reservedKeys.contains(name) {
            throw source.error(.name,
                "'\(name)' is a reserved key (reserved: \(Self.reservedKeys.joined(separator: ", ")))", at: statementOffset)
        }
        nameOffsets[name] = statementOffset
        if case .value(let v) = result.object {
            // Measured again: `b = a` repeated must not build a config larger than the limits.
            names[name] = v
            nameDepths[name] = try checked(v, at: statementOffset).depth
            objects.removeValue(forKey: name)
        } else {
            if names.contains(name) {
                try charge(names.count, at: statementOffset)  // removing a key re-indexes the names
                names.removeValue(forKey: name)
            }
            objects[name] = result.object
        }
    }

    private mutating func assign(_ result: Evaluated, to target: PyTarget, statementOffset: Int) throws {
        switch target {
        case .name(let name, _):
            try bind(name, result, statementOffset: statementOffset)
        case .unpack(let pattern):
            for (name, value) in try destructure(pattern, result.object) {
                try bind(name, try checked(value, at: statementOffset), statementOffset: statementOffset)
            }
        case .basePath(let accesses, _):
            guard case .value(let stored) = result.object else {
                throw source.error(.evaluation, "a \(result.object.typeName) cannot be stored in _base_ (not a config value)", at: statementOffset)
            }
            guard accesses.count + result.depth <= maxDepth else {
                throw source.error(.limit, "value nested too deeply (more than \(maxDepth) levels)", at: statementOffset)
            }
            var steps: [BaseWrite.Step] = []
            for access in accesses {
                switch access {
                case .attribute(let name, let offset): steps.append(.init(key: .string(name), offset: offset, isAttribute: true))
                case .index(let e, let offset): steps.append(.init(key: try value(e), offset: offset, isAttribute: false))
                }
            }
            baseDepth = nil
            _ = try checked(stored, at: statementOffset)
            // A write may copy what it changes: paid by the size of the base.
            try charge(ValueShape.measure(.dict(base), limit: PyLimits.maxValueSize, maxDepth: maxDepth).size, at: statementOffset)
            var root = ConfigValue.dict(base)
            base = ConfigDict()
            defer { if case .dict(let d) = root { base = d } }
            try BaseWrite(source: source, steps: steps).write(stored, into: &root, at: 0)
        }
    }

    /// The names a pattern binds, in order (`h, w = scale`; `for k, v in d.items()`).
    func destructure(_ pattern: PyPattern, _ object: PyObject) throws -> [(String, ConfigValue)] {
        switch pattern {
        case .name(let name, _):
            guard case .value(let v) = object else {
                throw source.error(.evaluation, "a \(object.typeName) cannot be bound to '\(name)' here", at: pattern.offset)
            }
            return [(name, v)]
        case .tuple(let items, let offset):
            let values: [ConfigValue]
            do { values = try PySemantics.elements(object) } catch { throw source.error(.evaluation, "cannot unpack: \(error.message)", at: offset) }
            let star = items.firstIndex { if case .starred = $0 { return true } else { return false } }
            guard star != nil ? values.count >= items.count - 1 : values.count == items.count else {
                let message = values.count < items.count
                    ? "not enough values to unpack (expected \(star == nil ? "" : "at least ")\(items.count - (star == nil ? 0 : 1)), got \(values.count))"
                    : "too many values to unpack (expected \(items.count))"
                throw source.error(.evaluation, message, at: offset)
            }
            var out: [(String, ConfigValue)] = []
            let afterStar = items.count - 1 - (star ?? items.count)
            for (k, item) in items.enumerated() {
                if case .starred(let name, _) = item {
                    out.append((name, .list(Array(values[k..<(values.count - afterStar)]))))
                } else if let star, k > star {
                    out += try destructure(item, .value(values[values.count - (items.count - k)]))
                } else {
                    out += try destructure(item, .value(values[k]))
                }
            }
            return out
        case .starred(let name, _):
            guard case .value(let v) = object else {
                throw source.error(.evaluation, "a \(object.typeName) cannot be bound to '\(name)' here", at: pattern.offset)
            }
            return [(name, v)]
        }
    }

    /// Evaluates `e` to a config value used as an operand (an error names what it got instead).
    mutating func value(_ e: PyExpr) throws -> ConfigValue {
        let result = try evaluate(e)
        try operand(result.object, at: e.offset)
        guard case .value(let v) = result.object else {
            throw source.error(.evaluation, "expected a value here, got a \(result.object.typeName)", at: e.offset)
        }
        return v
    }

    mutating func lookup(_ name: String, at offset: Int) throws -> Evaluated {
        for scope in scopes.reversed() {
            if let v = scope[name] { return v }
        }
        if let v = names[name] { return (.value(v), nameDepths[name] ?? 0) }
        if let o = objects[name] { return (o, 0) }
        if name == "_base_" {
            if baseDepth == nil {
                let shape = ValueShape.measure(.dict(base), limit: PyLimits.maxValueSize, maxDepth: maxDepth)
                try charge(shape.size, at: offset)
                baseDepth = shape.depth
            }
            return (.value(.dict(base)), baseDepth!)
        }
        if PyBuiltins.names.contains(name) { return (.builtin(name), 0) }
        if let refusal = PyBuiltins.refusal(name) { throw source.error(.unsupported, refusal, at: offset) }
        if base.contains(name) {
            throw source.error(.name,
                "name '\(name)' is not defined in this file; a base's value is reached as _base_.\(name) or {{_base_.\(name)}}",
                at: offset)
        }
        var message = "name '\(name)' is not defined"
        let visible = names.keys + scopes.flatMap(\.keys) + PyBuiltins.names.sorted()
        if let guess = Suggestions.closest(to: name, among: visible) { message += " (did you mean '\(guess)'?)" }
        throw source.error(.name, message, at: offset)
    }

    /// A value just built (or bound): within `PyLimits.maxValueSize` and `maxDepth`, its walk
    /// paid for.
    mutating func checked(_ v: ConfigValue, at offset: Int) throws -> Evaluated {
        if case .string(let s) = v { try located(offset) { try PySemantics.checkText(s) } }
        let shape = ValueShape.measure(v, limit: PyLimits.maxValueSize, maxDepth: maxDepth)
        try charge(shape.size, at: offset)
        guard shape.size <= PyLimits.maxValueSize else {
            throw source.error(.limit,
                "a value of more than \(PyLimits.maxValueSize) parts (shared parts counted each time they appear): configs do not build values this large",
                at: offset)
        }
        guard shape.depth <= maxDepth else {
            throw source.error(.limit, "value nested too deeply (more than \(maxDepth) levels)", at: offset)
        }
        return (.value(v), shape.depth)
    }

    /// What an operation reading `o` walks, paid for before it runs (`==`, `in`, `str()`,
    /// `sorted`, string searches: work in proportion to their inputs).
    func chargeReading(_ o: PyObject, at offset: Int) throws {
        try charge(PySemantics.weight(o), at: offset)
    }

    /// A `{{_base_.x}}` placeholder's token may be stored whole, never operated on: its value
    /// is only known once the file has run.
    func operand(_ o: PyObject, at offset: Int) throws {
        if case .value(let v) = o { try rejectToken(v, at: offset) }
    }

    /// Counts `n` steps against the budget.
    func charge(_ n: Int, at offset: Int) throws {
        budget.steps += n
        if budget.steps > PyLimits.maxSteps {
            throw source.error(.limit,
                "the config takes more than \(PyLimits.maxSteps) evaluation steps (a huge range, comprehension or repetition?)", at: offset)
        }
    }
}

/// How big a value is (each element and each shared reference to it counted, a string by its
/// length / 16) and how deep it nests, found by a walk that stops past `limit`: values share
/// their parts, so `[[0] * 1000] * 1000` is small in memory but a million elements to every
/// walk over it (dumps, comparisons, `str()`).
enum ValueShape {
    static func measure(_ value: ConfigValue, limit: Int, maxDepth: Int) -> (size: Int, depth: Int) {
        var size = 0
        func walk(_ v: ConfigValue, _ level: Int) -> Int {
            size += 1
            guard size <= limit, level <= maxDepth + 1 else { return level > maxDepth ? maxDepth + 1 : 0 }
            switch v {
            case .string(let s):
                size += s.utf8.count / 16
                return 0
            case .list(let items), .tuple(let items):
                var deepest = 0
                for item in items {
                    deepest = max(deepest, walk(item, level + 1))
                    if size > limit { break }
                }
                return deepest + 1
            case .dict(let dict):
                var deepest = 0
                for item in dict.values {
                    deepest = max(deepest, walk(item, level + 1))
                    if size > limit { break }
                }
                return deepest + 1
            default:
                return 0
            }
        }
        let depth = walk(value, 0)
        return (min(size, limit + 1), depth)
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
