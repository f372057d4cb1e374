import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes a file so that readers see either the old file or the whole new one: a temporary
/// file beside the target, written, fsync'ed, then rename(2) over the target. Used for
/// checkpoints (NN) and results files (Evaluation).
public enum AtomicFile {
    public struct Failure: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "\(path): \(reason)" }
    }

    public static func write(_ bytes: UnsafeRawBufferPointer, to path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        let temporary = (directory.isEmpty ? "." : directory)
            + "/.\((path as NSString).lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else {
            throw Failure(path: path, reason: "cannot create a temporary file beside it: \(String(cString: strerror(errno)))")
        }
        var ok = true
        var offset = 0
        while offset < bytes.count {
            let n = Foundation.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n <= 0 { ok = false; break }
            offset += n
        }
        let writeError = String(cString: strerror(errno))
        ok = ok && fsync(fd) == 0
        close(fd)
        guard ok, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw Failure(path: path, reason: "cannot write: \(ok ? String(cString: strerror(errno)) : writeError)")
        }
    }

    public static func write(_ data: Data, to path: String) throws {
        try data.withUnsafeBytes { try write($0, to: path) }
    }

    public static func write(_ bytes: [UInt8], to path: String) throws {
        try bytes.withUnsafeBytes { try write($0, to: path) }
    }
}
