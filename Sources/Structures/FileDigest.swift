import CCrypto
import Foundation

/// SHA-256 of a file (OpenSSL's EVP digest), read in 4 MiB chunks.
public enum FileDigest {
    public struct Failure: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "\(path): \(reason)" }
    }

    /// The lowercase hex SHA-256 of the file at `path`.
    public static func sha256(_ path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw Failure(path: path, reason: "cannot open the file") }
        defer { try? handle.close() }
        guard let ctx = EVP_MD_CTX_new() else { throw Failure(path: path, reason: "cannot start SHA-256") }
        defer { EVP_MD_CTX_free(ctx) }
        guard EVP_DigestInit_ex(ctx, EVP_sha256(), nil) == 1 else { throw Failure(path: path, reason: "cannot start SHA-256") }
        while true {
            let chunk: Data
            do { chunk = try handle.read(upToCount: 4 << 20) ?? Data() } catch {
                throw Failure(path: path, reason: "read error: \(error.localizedDescription)")
            }
            if chunk.isEmpty { break }
            _ = chunk.withUnsafeBytes { EVP_DigestUpdate(ctx, $0.baseAddress, $0.count) }
        }
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        guard EVP_DigestFinal_ex(ctx, &digest, &length) == 1, length == 32 else { throw Failure(path: path, reason: "SHA-256 failed") }
        return digest.map { String(format: "%02x", $0) }.joined()
    }
}
