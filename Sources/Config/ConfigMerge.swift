/// mmengine's merge (`Config._merge_a_into_b`, reference §1.1): a child dict merges into a
/// base dict key by key, recursively; any other child value replaces the base value whole.
/// `_delete_=True` in a child dict drops the base dict at that key, but the `_delete_` key is
/// only stripped where the base has the key (mmengine's quirk, kept on purpose: fixture 16).
/// With `allowListKeys` (for `--cfg-options`), digit keys index into lists.
struct ConfigMerge {
    /// Where a failure is reported (the child's file and the statement of the top-level key).
    let locate: (_ topLevelKey: String) -> ConfigLocation?
    /// Describes the base that defined a top-level key ("base.py"), for messages.
    let baseName: (_ topLevelKey: String) -> String?
    var allowListKeys = false
    /// How messages call the side being merged in ("the child", "the option").
    var childName = "the child"

    static let deleteKey = "_delete_"

    func merge(_ child: ConfigDict, into base: ConfigDict) throws -> ConfigDict {
        try mergeDict(child, into: base, path: [])
    }

    private func mergeDict(_ child: ConfigDict, into base: ConfigDict, path: [String]) throws -> ConfigDict {
        var result = base
        for (key, value) in child {
            let here = path + [key]
            guard case .dict(var childDict) = value, let existing = result[key] else {
                result[key] = value
                continue
            }
            let delete = childDict.removeValue(forKey: Self.deleteKey)
            if let delete, Self.isTrue(delete) {
                result[key] = .dict(childDict)
                continue
            }
            result[key] = try mergeValue(childDict, into: existing, path: here)
        }
        return result
    }

    /// A child dict over an existing base value.
    private func mergeValue(_ child: ConfigDict, into existing: ConfigValue, path: [String]) throws -> ConfigValue {
        switch existing {
        case .dict(let baseDict):
            return .dict(try mergeDict(child, into: baseDict, path: path))
        case .list(let items) where allowListKeys:
            return .list(try mergeIntoList(child, items, path: path))
        default:
            throw typeMismatch(path, existing)
        }
    }

    /// `--cfg-options a.0.b=v`: digit keys reach into the elements of a list, which must be
    /// dicts (or lists). As in mmengine, `_delete_` is not special at an element.
    private func mergeIntoList(_ child: ConfigDict, _ items: [ConfigValue], path: [String]) throws -> [ConfigValue] {
        var result = items
        let name = ConfigPath.render(path)
        for (key, value) in child {
            guard !key.isEmpty, key.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let index = Int(key) else {
                throw ConfigError(.merge, "\(name) is a list; '\(key)' is not an index (use a number: \(name).0...)", at: locate(path[0]))
            }
            guard index < items.count else {
                throw ConfigError(.merge,
                    "index \(index) is out of range for \(name) (\(items.count) element\(items.count == 1 ? "" : "s"))",
                    at: locate(path[0]))
            }
            let element = result[index]
            guard case .dict(let childDict) = value, element.dictValue != nil || element.isList else {
                let shown = "\(name)[\(index)]"
                let problem = element.dictValue == nil && !element.isList
                    ? "\(shown) is \(Self.article(element.typeName)) \(element.typeName), not a dict; give the whole list instead (\(name)=[...])"
                    : "\(shown) is \(Self.article(element.typeName)) \(element.typeName); set keys inside it (\(name).\(index).key=value)"
                throw ConfigError(.merge, problem, at: locate(path[0]))
            }
            result[index] = try mergeValue(childDict, into: element, path: path + [key])
        }
        return result
    }

    private func typeMismatch(_ path: [String], _ existing: ConfigValue) -> ConfigError {
        let name = ConfigPath.render(path)
        var message = "\(name): \(childName) gives a dict but the base"
        if let base = baseName(path[0]) { message += " (\(base))" }
        message += " has \(Self.article(existing.typeName)) \(existing.typeName)"
        switch existing {
        case .list: message += "; use _delete_=True or give a full list"
        case .tuple: message += "; give a whole tuple (index keys need a list)"
        case .none: message += "; set \(name) to a dict first, or use _delete_=True"
        default: message += " (cannot set keys inside it); use _delete_=True to replace it"
        }
        return ConfigError(.merge, message, at: locate(path[0]))
    }

    static func article(_ word: String) -> String {
        word == "None" ? "the value" : ("aeiou".contains(word.first!) ? "an" : "a")
    }

    /// Python truthiness of a value (`_delete_`, conditions, `bool()`).
    static func isTrue(_ v: ConfigValue) -> Bool {
        switch v {
        case .none: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .double(let d): return d != 0
        case .string(let s): return !s.isEmpty
        case .list(let x), .tuple(let x): return !x.isEmpty
        case .dict(let d): return !d.isEmpty
        }
    }
}

/// Key paths for messages: `model.roi_head.bbox_head`, `train_pipeline[1].scale`.
public enum ConfigPath {
    public enum Segment: Sendable, Equatable {
        case key(String)
        case index(Int)
    }

    public static func render(_ segments: [Segment]) -> String {
        var text = ""
        for segment in segments {
            switch segment {
            case .key(let k): text += text.isEmpty ? k : "." + k
            case .index(let i): text += "[\(i)]"
            }
        }
        return text.isEmpty ? "the config" : text
    }

    static func render(_ keys: [String]) -> String { render(keys.map(Segment.key)) }
}
