import Foundation

/// What is at a path before a file format is parsed from it, said in words: missing, a
/// directory, a device or other special file, empty, unreadable (never Foundation's error text).
public enum FileCheck {
    /// Nil when `path` is a readable, non-empty regular file; else why it is not.
    public static func problem(_ path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else {
            return errno == ENOENT ? "no such file" : "cannot be read (\(String(cString: strerror(errno))))"
        }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: return "is a directory, not a file"
        case S_IFREG: break
        default: return "is not a regular file (a device, pipe or socket)"
        }
        guard access(path, R_OK) == 0 else { return "cannot be read (permission denied)" }
        return info.st_size == 0 ? "is empty" : nil
    }
}
