/// `os.path` for configs: joining and splitting paths as text (posixpath's rules); nothing that
/// looks at the file system or the environment.
enum PathFunctions {
    typealias Failure = ArithmeticError

    static let allowed: Set<String> = ["join", "basename", "dirname", "split", "splitext", "normpath", "isabs"]

    static func isAllowed(_ dotted: String) -> Bool {
        dotted.hasPrefix("os.path.") && allowed.contains(String(dotted.dropFirst("os.path.".count)))
    }

    static func refusal(_ dotted: String) -> String {
        var why = "\(dotted) is not allowed in config files (only os.path.join, basename, dirname, split, splitext, normpath and isabs: configs join paths, they do not look at files"
        if dotted.contains("environ") || dotted.contains("getenv") { why += "; read an environment variable with {{$NAME:default}}" }
        return why + ")"
    }

    /// The attribute `name` of module `module` (`os.path`, or a function).
    static func attribute(of module: String, _ name: String) throws(Failure) -> PyObject {
        let dotted = module + "." + name
        if dotted == "os.path" { return .module("os.path") }
        guard isAllowed(dotted) else { throw Failure(refusal(dotted)) }
        return .function(dotted)
    }

    static func call(_ dotted: String, _ args: [PyObject], _ kwargs: [(String, PyObject)]) throws(Failure) -> PyObject {
        let function = String(dotted.dropFirst("os.path.".count))
        guard kwargs.isEmpty else { throw Failure("\(function)() takes no keyword arguments") }
        var paths: [String] = []
        for arg in args {
            guard case .value(.string(let s)) = arg else {
                throw Failure("\(function)() arguments must be str, not \(arg.typeName)")
            }
            paths.append(s)
        }
        if function == "join" {
            guard let first = paths.first else { throw Failure("join() missing 1 required positional argument: 'a'") }
            var path = first
            for part in paths.dropFirst() {
                // code points, not characters: '/' followed by a combining mark still starts a root
                if part.unicodeScalars.first == "/" {
                    path = part
                } else if path.isEmpty || path.unicodeScalars.last == "/" {
                    path += part
                } else {
                    path += "/" + part
                }
            }
            try PySemantics.checkSize(path.unicodeScalars.count)
            return .value(.string(path))
        }
        guard paths.count == 1 else { throw Failure("\(function)() takes exactly one argument (\(paths.count) given)") }
        let p = Array(paths[0].unicodeScalars)
        func text(_ r: ArraySlice<Unicode.Scalar>) -> String {
            var v = String.UnicodeScalarView()
            v.append(contentsOf: r)
            return String(v)
        }
        let cut = (p.lastIndex(of: "/") ?? -1) + 1
        var head = text(p[..<cut])
        if !head.isEmpty && !head.unicodeScalars.allSatisfy({ $0 == "/" }) {
            while head.unicodeScalars.last == "/" { head.unicodeScalars.removeLast() }
        }
        switch function {
        case "isabs": return .value(.bool(paths[0].unicodeScalars.first == "/"))
        case "normpath": return .value(.string(normpath(paths[0])))
        case "basename": return .value(.string(text(p[cut...])))
        case "dirname": return .value(.string(head))
        case "split": return .value(.tuple([.string(head), .string(text(p[cut...]))]))
        default:
            let sep = cut - 1
            if let dot = p.lastIndex(of: "."), dot > sep {
                var i = sep + 1
                while i < dot {
                    if p[i] != "." { return .value(.tuple([.string(text(p[..<dot])), .string(text(p[dot...]))])) }
                    i += 1
                }
            }
            return .value(.tuple([.string(paths[0]), .string("")]))
        }
    }

    /// posixpath.normpath: `.` and empty parts dropped, `..` folded where it can be.
    static func normpath(_ path: String) -> String {
        guard !path.isEmpty else { return "." }
        let scalars = Array(path.unicodeScalars)
        var initialSlashes = scalars.first == "/" ? 1 : 0
        if scalars.starts(with: ["/", "/"]) && !scalars.starts(with: ["/", "/", "/"]) { initialSlashes = 2 }
        var parts: [String] = []
        for slice in scalars.split(separator: "/", omittingEmptySubsequences: false) {
            var view = String.UnicodeScalarView()
            view.append(contentsOf: slice)
            let part = String(view)
            if part.isEmpty || part == "." { continue }
            if part != ".." || (initialSlashes == 0 && parts.isEmpty) || parts.last == ".." {
                parts.append(part)
            } else if !parts.isEmpty {
                parts.removeLast()
            }
        }
        let joined = String(repeating: "/", count: initialSlashes) + parts.joined(separator: "/")
        return joined.isEmpty ? "." : joined
    }
}
