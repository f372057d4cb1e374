/// An expression of the config language, with its byte offset (for messages) and its depth
/// (bounded, so evaluating it cannot recurse without limit).
struct PyExpr {
    indirect enum Kind {
        case constant(ConfigValue)
        case name(String)
        case placeholder([String])
        /// `[a, *b]`, `(a, *b)`, `{a, *b}`: items may be `.starred`.
        case list([PyExpr])
        case tuple([PyExpr])
        case set([PyExpr])
        /// `*x` inside a display (or a call's arguments, which keep it apart).
        case starred(PyExpr)
        /// `{k: v, **d}`: a nil key is a `**` unpacking of the value.
        case dictDisplay([(key: PyExpr?, value: PyExpr)])
        /// `[e for ...]`, `{e for ...}`, `(e for ...)`.
        case comprehension(PyComprehensionKind, PyExpr, [PyClause])
        /// `{k: v for ...}`.
        case dictComprehension(PyExpr, PyExpr, [PyClause])
        /// `f(a, *b, k=c, **d)`.
        case call(PyExpr, [PyArgument])
        /// `x.name`; the expression's offset is the name's.
        case attribute(PyExpr, String)
        /// `x[i]`; the expression's offset is the index's.
        case index(PyExpr, PyExpr)
        /// `x[a:b:c]`.
        case slice(PyExpr, PyExpr?, PyExpr?, PyExpr?)
        case unary(PyOp, PyExpr)
        case binary(PyOp, PyExpr, PyExpr)
        /// `not x`.
        case not(PyExpr)
        /// `a and b and c` (isAnd) or `a or b`.
        case boolean(isAnd: Bool, [PyExpr])
        /// `a < b <= c`: the first operand and each (operator, operand) pair.
        case compare(PyExpr, [(op: PyCompareOp, operand: PyExpr)])
        /// `body if test else orElse`.
        case conditional(test: PyExpr, body: PyExpr, orElse: PyExpr)
        /// `f'...'`: literal text and replacement fields.
        case formatted([PyFormatPart])
    }

    let kind: Kind
    let offset: Int
    let depth: Int

    var isPlaceholder: Bool { if case .placeholder = kind { return true } else { return false } }
}

enum PyComprehensionKind { case list, set, generator }

/// One clause of a comprehension: `for target in iterable` or `if condition`.
enum PyClause {
    case loop(PyPattern, PyExpr)
    case filter(PyExpr)
}

/// The names a `for` (or an unpacking assignment) binds: a name, or a tuple of patterns.
indirect enum PyPattern {
    case name(String, offset: Int)
    case tuple([PyPattern], offset: Int)
    /// `*rest` inside a tuple: takes the elements the others leave, as a list.
    case starred(String, offset: Int)

    var offset: Int {
        switch self {
        case .name(_, let o), .tuple(_, let o), .starred(_, let o): return o
        }
    }
}

/// An argument of a call.
enum PyArgument {
    case positional(PyExpr)
    case keyword(String, offset: Int, PyExpr)
    /// `*iterable`
    case star(PyExpr)
    /// `**mapping`
    case doubleStar(PyExpr)
}

enum PyCompareOp: String {
    case eq = "==", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">="
    case isIn = "in", notIn = "not in", isSame = "is", isNotSame = "is not"
}

/// A piece of an f-string.
enum PyFormatPart {
    case literal(String)
    /// `{expr!conversion:spec}`; the spec may hold replacement fields itself.
    case field(PyExpr, conversion: Character?, spec: [PyFormatPart])
}

/// One step of an assignment target below its root name: `.name` or `[index]`.
enum PyAccess {
    case attribute(String, offset: Int)
    case index(PyExpr, offset: Int)
}

/// The left side of `=`: a plain name, a `_base_` path (`_base_.a[1].b`), or names to unpack
/// into (`h, w = scale`).
enum PyTarget {
    case name(String, offset: Int)
    case basePath([PyAccess], offset: Int)
    case unpack(PyPattern)
}

/// A statement: an assignment (with one or more targets, `a = b = v`), an import of `os` or
/// `os.path` (path joining), or a bare expression (a docstring, evaluated and dropped).
enum PyStatement {
    case assign(targets: [PyTarget], value: PyExpr, offset: Int)
    /// Binds `name` to a module (`os`, `os.path`) or to a function of `os.path`.
    case importName(name: String, object: String, offset: Int)
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
