import Foundation

/// Lexical path handling in the manner of Python's `os.path` (POSIX): `_base_` paths are
/// joined to the declaring file's directory and normalised without touching the disk.
enum PathUtil {
    static func dirname(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        let head = String(path[..<slash])
        return head.isEmpty ? "/" : head
    }

    static func basename(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// The extension with its dot (".py"), or "" (like `os.path.splitext`: a leading dot of
    /// the name does not start an extension).
    static func extensionWithDot(_ path: String) -> String {
        let name = basename(path)
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "" }
        if name[..<dot].allSatisfy({ $0 == "." }) { return "" }
        return String(name[dot...])
    }

    /// `os.path.join(dir, path)`: an absolute `path` wins.
    static func join(_ dir: String, _ path: String) -> String {
        if path.hasPrefix("/") || dir.isEmpty { return path }
        return dir.hasSuffix("/") ? dir + path : dir + "/" + path
    }

    /// `os.path.normpath`: removes `.`, empty segments and `x/..` pairs.
    static func normalize(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." {
                if let last = parts.last, last != ".." {
                    parts.removeLast()
                    continue
                }
                if absolute { continue }
            }
            parts.append(part)
        }
        let body = parts.joined(separator: "/")
        if absolute { return "/" + body }
        return body.isEmpty ? "." : body
    }

    /// `os.path.abspath(os.path.expanduser(path))`.
    static func absolute(_ path: String) -> String {
        var p = path
        if p == "~" || p.hasPrefix("~/") {
            p = NSHomeDirectory() + p.dropFirst()
        }
        if !p.hasPrefix("/") {
            p = join(FileManager.default.currentDirectoryPath, p)
        }
        return normalize(p)
    }
}
