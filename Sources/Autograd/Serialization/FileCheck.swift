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

    /// Nil when `folder` exists as a writable folder or can be made; else why not, in words
    /// (the first ancestor that exists is a file, or is not writable).
    public static func cannotWrite(into folder: String) -> String? {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder, isDirectory: &isDir) {
            guard isDir.boolValue else { return "\(folder) is a file, not a folder" }
            return access(folder, W_OK) == 0 ? nil : "\(folder) is not writable (permission denied)"
        }
        var ancestor = (folder as NSString).deletingLastPathComponent
        while !ancestor.isEmpty, !FileManager.default.fileExists(atPath: ancestor, isDirectory: &isDir) {
            ancestor = (ancestor as NSString).deletingLastPathComponent
        }
        if ancestor.isEmpty { ancestor = FileManager.default.currentDirectoryPath }
        guard isDir.boolValue || ancestor == FileManager.default.currentDirectoryPath else {
            return "\(ancestor) is a file, so \(folder) cannot be made"
        }
        return access(ancestor, W_OK) == 0 ? nil : "\(folder) cannot be made: \(ancestor) is not writable (permission denied)"
    }
}
