/// An expression of the config language, with its byte offset (for messages) and its depth
/// (bounded, so evaluating it cannot recurse without limit).
struct PyExpr {
    indirect enum Kind {
        case constant(ConfigValue)
        case name(String)
        case placeholder([String])
        case list([PyExpr])
        case tuple([PyExpr])
        /// `dict(k=v, ...)`: keyword names with their offsets.
        case dictCall([(name: String, offset: Int, value: PyExpr)])
        /// `{k: v, ...}`.
        case dictDisplay([(key: PyExpr, value: PyExpr)])
        /// `x.name`; the expression's offset is the name's.
        case attribute(PyExpr, String)
        /// `x[i]`; the expression's offset is the index's.
        case index(PyExpr, PyExpr)
        /// `x[a:b]`.
        case slice(PyExpr, PyExpr?, PyExpr?)
        case unary(PyOp, PyExpr)
        case binary(PyOp, PyExpr, PyExpr)
    }

    let kind: Kind
    let offset: Int
    let depth: Int

    var isPlaceholder: Bool { if case .placeholder = kind { return true } else { return false } }
}

/// One step of an assignment target below its root name: `.name` or `[index]`.
enum PyAccess {
    case attribute(String, offset: Int)
    case index(PyExpr, offset: Int)
}

/// The left side of `=`: a plain name, or a path rooted at `_base_` (`_base_.a[1].b`).
enum PyTarget {
    case name(String, offset: Int)
    case basePath([PyAccess], offset: Int)
}

/// A statement: an assignment (with one or more targets, `a = b = v`) or a bare expression
/// (a docstring, evaluated and dropped).
enum PyStatement {
    case assign(targets: [PyTarget], value: PyExpr, offset: Int)
    case expression(PyExpr)
}

/// A parsed config file: its statements, and its `_base_ = ...` declaration if any (mmengine
/// reads it before running the file, and the file runs without it).
struct PyModule {
    struct BaseEntry {
        let path: String
        let offset: Int
    }

    var statements: [PyStatement] = []
    var bases: [BaseEntry] = []
    /// Offset of the `_base_ = ...` statement (nil when the file has none).
    var baseOffset: Int?
}
