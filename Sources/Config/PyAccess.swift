/// Reads through `.name`, `[index]` and `[a:b]` (on dicts, lists, tuples and strings, with
/// Python's negative indices and clamped slices), with messages that name the path read.
struct PyAccessRead {
    /// A value read, with a bound on its nesting depth.
    typealias Read = (value: ConfigValue, depth: Int)

    let source: SourceText
    let maxDepth: Int
    /// The owner's depth (bound): a part of it is at most one level less deep, so reads cost
    /// no walk over the value.
    var ownerDepth: Int

    private func part(_ v: ConfigValue) -> Read {
        (v, v.elements == nil && v.dictValue == nil ? 0 : max(ownerDepth - 1, 1))
    }

    func attribute(_ owner: ConfigValue, _ name: String, of inner: PyExpr, at offset: Int) throws -> Read {
        try rejectToken(owner, inner)
        guard case .dict(let dict) = owner else {
            throw source.error(.evaluation,
                "\(PyRender.path(inner)) is a \(owner.typeName), not a dict; it has no attribute '\(name)'", at: offset)
        }
        guard let value = dict[name] else {
            var message = "\(PyRender.path(inner)) has no key '\(name)'"
            if let guess = Suggestions.closest(to: name, among: dict.keys) { message += " (did you mean '\(guess)'?)" }
            throw source.error(.evaluation, message, at: offset)
        }
        return part(value)
    }

    func item(_ owner: ConfigValue, _ key: ConfigValue, of inner: PyExpr, at offset: Int) throws -> Read {
        try rejectToken(owner, inner)
        switch owner {
        case .list(let items), .tuple(let items):
            let i = try index(key, count: items.count, of: inner, at: offset)
            return part(items[i])
        case .string(let s):
            let scalars = Array(s.unicodeScalars)
            let i = try index(key, count: scalars.count, of: inner, at: offset)
            return (.string(String(scalars[i])), 0)
        case .dict(let dict):
            guard case .string(let k) = key else {
                throw source.error(.evaluation, "dict keys are strings; got \(key.typeName) \(key.brief)", at: offset)
            }
            guard let value = dict[k] else {
                throw source.error(.evaluation, "\(PyRender.path(inner)) has no key '\(k)'", at: offset)
            }
            return part(value)
        default:
            throw source.error(.evaluation, "\(PyRender.path(inner)) is a \(owner.typeName) and cannot be indexed", at: offset)
        }
    }

    /// `x[lower:upper:step]` with Python's clamping (and a negative step walking backwards).
    func slice(_ owner: ConfigValue, _ lower: ConfigValue?, _ upper: ConfigValue?, _ step: ConfigValue?,
               of inner: PyExpr, at offset: Int) throws -> Read {
        try rejectToken(owner, inner)
        func int(_ v: ConfigValue?) throws -> Int? {
            guard let v, !v.isNone else { return nil }
            guard let n = PyArithmetic.number(v), case .int(let i) = n else {
                throw source.error(.evaluation, "slice indices must be ints or None, got \(v.typeName)", at: offset)
            }
            return i
        }
        let stride = try int(step) ?? 1
        guard stride != 0 else { throw source.error(.evaluation, "slice step cannot be zero", at: offset) }
        func indices(_ count: Int) throws -> [Int] {
            func clamp(_ raw: Int?, _ fallback: Int) -> Int {
                guard var i = raw else { return fallback }
                if i < 0 { i += count }
                return stride > 0 ? min(max(i, 0), count) : min(max(i, -1), count - 1)
            }
            var i = clamp(try int(lower), stride > 0 ? 0 : count - 1)
            let stop = clamp(try int(upper), stride > 0 ? count : -1)
            var out: [Int] = []
            while stride > 0 ? i < stop : i > stop {
                out.append(i)
                let (next, overflow) = i.addingReportingOverflow(stride)
                if overflow { break }
                i = next
            }
            return out
        }
        switch owner {
        case .string(let s):
            let scalars = Array(s.unicodeScalars)
            var out = String.UnicodeScalarView()
            for i in try indices(scalars.count) { out.append(scalars[i]) }
            return (.string(String(out)), 0)
        case .list(let items):
            return (.list(try indices(items.count).map { items[$0] }), ownerDepth)
        case .tuple(let items):
            return (.tuple(try indices(items.count).map { items[$0] }), ownerDepth)
        default:
            throw source.error(.evaluation, "\(PyRender.path(inner)) is a \(owner.typeName) and cannot be sliced", at: offset)
        }
    }

    private func index(_ key: ConfigValue, count: Int, of inner: PyExpr, at offset: Int) throws -> Int {
        guard let n = PyArithmetic.number(key), case .int(let raw) = n else {
            throw source.error(.evaluation, "indices must be ints, got \(key.typeName) \(key.brief)", at: offset)
        }
        let i = raw < 0 ? raw + count : raw
        guard i >= 0 && i < count else {
            throw source.error(.evaluation,
                "index \(raw) is out of range for \(PyRender.path(inner)) (\(count) element\(count == 1 ? "" : "s"))", at: offset)
        }
        return i
    }

    private func rejectToken(_ v: ConfigValue, _ inner: PyExpr) throws {
        if case .string(let s) = v, PlaceholderTable.index(ofToken: s) != nil {
            throw source.error(.placeholder,
                "a {{_base_...}} placeholder must be a whole value; read through _base_.x instead", at: inner.offset)
        }
    }
}

/// A write through `_base_` (`_base_.a.b = v`, `_base_.x[1].y = v`): the last step creates or
/// replaces; the steps before it must exist (mmengine raises AttributeError/IndexError there).
struct BaseWrite {
    struct Step {
        let key: ConfigValue
        let offset: Int
        let isAttribute: Bool
    }

    let source: SourceText
    let steps: [Step]

    func write(_ value: ConfigValue, into current: inout ConfigValue, at i: Int) throws {
        let step = steps[i]
        let last = i == steps.count - 1
        switch current {
        case .dict(var dict):
            guard case .string(let key) = step.key else {
                throw source.error(.evaluation, "dict keys are strings; got \(step.key.typeName) \(step.key.brief)", at: step.offset)
            }
            current = .none  // keep `dict` uniquely referenced while it changes
            if last {
                dict[key] = value
            } else {
                guard var child = dict[key] else {
                    throw source.error(.merge, "\(path(i)) has no key '\(key)' (writing \(path(steps.count)))", at: step.offset)
                }
                dict[key] = ConfigValue.none
                try write(value, into: &child, at: i + 1)
                dict[key] = child
            }
            current = .dict(dict)
        case .list(var items):
            guard !step.isAttribute else {
                throw source.error(.merge, "\(path(i)) is a list; it has no attribute '\(step.key.stringValue ?? "")'", at: step.offset)
            }
            guard let n = PyArithmetic.number(step.key), case .int(let raw) = n else {
                throw source.error(.evaluation, "list indices must be ints, got \(step.key.typeName)", at: step.offset)
            }
            let index = raw < 0 ? raw + items.count : raw
            guard index >= 0 && index < items.count else {
                throw source.error(.merge,
                    "index \(raw) is out of range for \(path(i)) (\(items.count) element\(items.count == 1 ? "" : "s"))", at: step.offset)
            }
            current = .none
            if last { items[index] = value } else { try write(value, into: &items[index], at: i + 1) }
            current = .list(items)
        case .tuple:
            throw source.error(.merge, "\(path(i)) is a tuple and cannot be changed in place; assign a whole new value", at: step.offset)
        default:
            throw source.error(.merge, "\(path(i)) is a \(current.typeName), not a dict; cannot write \(path(steps.count))", at: step.offset)
        }
    }

    /// `_base_` followed by the first `count` steps, as written.
    private func path(_ count: Int) -> String {
        var text = "_base_"
        for step in steps.prefix(count) {
            if step.isAttribute, case .string(let name) = step.key { text += "." + name } else { text += "[\(step.key)]" }
        }
        return text
    }
}

/// Renders an access chain (`_base_.model.roi_head[0]`) for messages.
enum PyRender {
    static func path(_ e: PyExpr) -> String {
        switch e.kind {
        case .name(let name): return name
        case .attribute(let inner, let name): return path(inner) + "." + name
        case .index(let inner, let index):
            if case .constant(let v) = index.kind { return path(inner) + "[\(v)]" }
            return path(inner) + "[...]"
        case .placeholder(let p): return "{{_base_.\(p.joined(separator: "."))}}"
        default: return "the value"
        }
    }
}
