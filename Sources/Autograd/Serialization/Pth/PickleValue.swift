/// A value of the pickle subset that PyTorch and OpenMMLab checkpoints use. Lists, tuples and
/// dicts are references, so the memo shares them and never copies (a file that refers to one
/// list twice at every level stays linear in size).
enum PickleValue {
    case none
    case bool(Bool)
    case int(Int64)
    /// An integer wider than 64 bits (the legacy format's magic number): kept, not used.
    case bigInt
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case list(PickleSequence)
    case tuple(PickleSequence)
    case dict(PickleDict)
    /// A callable or class that the reader interprets (see `PthGlobal`).
    case global(PthGlobal)
    /// Anything accepted but never interpreted (numpy values, HistoryBuffer, Counter, ...).
    case opaque(String)
    case storage(PthStorage)
    case tensor(PthTensorRecord)

    /// Containers nested below this value (0 for a scalar), bounded by the reader's cap.
    var depth: Int {
        switch self {
        case .list(let s), .tuple(let s): s.depth
        case .dict(let d): d.depth
        default: 0
        }
    }

    /// Marks a list, tuple or dict as inside another container: it can no longer grow (its
    /// parents' depths were counted with it as it is).
    func markPlaced() {
        switch self {
        case .list(let s), .tuple(let s): s.placed = true
        case .dict(let d): d.placed = true
        default: break
        }
    }

    var string: String? { if case .string(let s) = self { s } else { nil } }
    var int: Int64? { if case .int(let i) = self { i } else { nil } }
    var isNone: Bool { if case .none = self { true } else { false } }

    /// The items of a tuple or list.
    var items: [PickleValue]? {
        switch self {
        case .tuple(let s), .list(let s): s.items
        default: nil
        }
    }

    /// A short description for messages (never the whole graph).
    var kind: String {
        switch self {
        case .none: "None"
        case .bool: "bool"
        case .int, .bigInt: "int"
        case .float: "float"
        case .string: "str"
        case .bytes: "bytes"
        case .list: "list"
        case .tuple: "tuple"
        case .dict: "dict"
        case .global(let g): "\(g)"
        case .opaque(let name): name
        case .storage: "storage"
        case .tensor: "tensor"
        }
    }
}

/// A list or tuple's items (a reference, shared through the memo). Python's pickler fills a
/// container before it places it in another, so once placed (`placed`) it is complete: the
/// reader refuses to fill it further, which keeps every depth exact and the graph acyclic.
final class PickleSequence {
    private(set) var items: [PickleValue]
    private(set) var depth: Int
    var placed = false

    init(_ items: [PickleValue]) {
        self.items = items
        depth = 1 + (items.map(\.depth).max() ?? 0)
        for v in items { v.markPlaced() }
    }

    func append(_ v: PickleValue) {
        items.append(v)
        depth = max(depth, 1 + v.depth)
        v.markPlaced()
    }
}

/// An (ordered) dict's items (a reference, shared through the memo). String keys are
/// indexed; other keys are kept in order only.
final class PickleDict {
    private(set) var keys: [PickleValue] = []
    private(set) var values: [PickleValue] = []
    private var index: [String: Int] = [:]
    private(set) var depth = 1
    /// Inside another container (see `PickleSequence`).
    var placed = false

    func set(_ key: PickleValue, _ value: PickleValue) {
        depth = max(depth, 1 + value.depth, 1 + key.depth)
        key.markPlaced()
        value.markPlaced()
        if let s = key.string, let i = index[s] {
            values[i] = value
            return
        }
        if let s = key.string { index[s] = keys.count }
        keys.append(key)
        values.append(value)
    }

    subscript(key: String) -> PickleValue? { index[key].map { values[$0] } }
    var count: Int { keys.count }
}
