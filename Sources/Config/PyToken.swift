/// A token of the Python subset used by config files (Python's own tokens, so that rejected
/// constructs can be named precisely).
struct PyToken {
    enum Kind {
        case name(String)
        case int(Int)
        case float(Double)
        case string(String)
        /// `f'...'`: literal text and the byte ranges of replacement fields.
        case formatted([PyLexedPart])
        /// `{{_base_.a.b}}`, with the dotted path split.
        case placeholder([String])
        case op(PyOp)
        /// The end of a logical line (not emitted inside brackets).
        case newline
        /// Indentation before a top-level statement (an error the parser reports).
        case indent
        case end
    }

    let kind: Kind
    /// Byte offsets in the parsed text.
    let start: Int
    let end: Int

    var op: PyOp? { if case .op(let o) = kind { return o } else { return nil } }
    var name: String? { if case .name(let n) = kind { return n } else { return nil } }

    /// How the token is described in "expected X, found Y" messages.
    var describe: String {
        switch kind {
        case .name(let n): return PyKeywords.hard.contains(n) ? "keyword '\(n)'" : "name '\(n)'"
        case .int, .float: return "a number"
        case .string, .formatted: return "a string"
        case .placeholder: return "a {{_base_...}} placeholder"
        case .op(let o): return "'\(o.rawValue)'"
        case .newline: return "the end of the line"
        case .indent: return "indentation"
        case .end: return "the end of the file"
        }
    }
}

/// A piece of an f-string as the lexer finds it: text, or a replacement field whose
/// expression the parser reads from `start..<end` of the text.
indirect enum PyLexedPart {
    case literal(String)
    case field(start: Int, end: Int, conversion: Character?, spec: [PyLexedPart])
}

/// Python operators and delimiters, longest first where one is a prefix of another.
enum PyOp: String, CaseIterable {
    case lparen = "(", rparen = ")", lbracket = "[", rbracket = "]", lbrace = "{", rbrace = "}"
    case comma = ",", colon = ":", dot = ".", semicolon = ";", assign = "="
    case plus = "+", minus = "-", star = "*", slash = "/", percent = "%", at = "@"
    case doubleStar = "**", doubleSlash = "//", pipe = "|", amp = "&", caret = "^", tilde = "~"
    case lt = "<", gt = ">", eq = "==", ne = "!=", le = "<=", ge = ">=", lshift = "<<", rshift = ">>"
    case arrow = "->", walrus = ":=", ellipsis = "..."
    case plusAssign = "+=", minusAssign = "-=", starAssign = "*=", slashAssign = "/="
    case doubleSlashAssign = "//=", percentAssign = "%=", doubleStarAssign = "**="
    case atAssign = "@=", ampAssign = "&=", pipeAssign = "|=", caretAssign = "^="
    case lshiftAssign = "<<=", rshiftAssign = ">>="

    var isAugmentedAssign: Bool { rawValue.count >= 2 && rawValue.hasSuffix("=") && !["==", "!=", "<=", ">="].contains(rawValue) }

    var isOpening: Bool { self == .lparen || self == .lbracket || self == .lbrace }
    var isClosing: Bool { self == .rparen || self == .rbracket || self == .rbrace }

    /// The bracket that closes this opening bracket.
    var closing: PyOp? {
        switch self {
        case .lparen: return .rparen
        case .lbracket: return .rbracket
        case .lbrace: return .rbrace
        default: return nil
        }
    }
}

/// Python's hard keywords: none of them can be a name, and the ones outside the config subset
/// (all but True, False, None) are rejected with the construct they start.
enum PyKeywords {
    static let hard: Set<String> = [
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class",
        "continue", "def", "del", "elif", "else", "except", "finally", "for", "from", "global",
        "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise",
        "return", "try", "while", "with", "yield",
    ]

    /// What a statement starting with `keyword` is, for "X is not allowed in config files".
    static func statementConstruct(_ keyword: String) -> String {
        switch keyword {
        case "import", "from": return "import statements are"
        case "def": return "function definitions ('def') are"
        case "class": return "class definitions are"
        case "if", "elif", "else": return "'if' statements are"
        case "for": return "'for' loops are"
        case "while": return "'while' loops are"
        case "with": return "'with' blocks are"
        case "try", "except", "finally": return "'try' blocks are"
        case "lambda": return "'lambda' is"
        default: return "'\(keyword)' statements are"
        }
    }

    /// What an expression using `keyword` is.
    static func expressionConstruct(_ keyword: String) -> String {
        switch keyword {
        case "lambda": return "'lambda' is"
        case "await", "yield": return "'\(keyword)' is"
        default: return "'\(keyword)' is"
        }
    }
}
