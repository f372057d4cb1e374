import Datasets
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The images an inference command is given, as mmdetection's `DetInferencer` takes them:
/// files, folders (the image files directly inside, by name) and glob patterns (`*`, `?`,
/// `[...]`, expanded by the C library's glob(3) when no file has the pattern's name).
public enum ImageInputs {
    /// The file name extensions a folder is searched for: mmcv's image extensions, so that a
    /// BMP or TIFF in a folder is reported as an unsupported format rather than passed over.
    public static let folderExtensions: Set<String> = ["jpg", "jpeg", "jpe", "png", "ppm", "bmp", "pgm", "tif", "tiff", "webp"]

    /// Why a list of inputs names no image.
    public struct Error: Swift.Error, CustomStringConvertible, Equatable {
        public let input: String
        public let reason: String
        public init(input: String, reason: String) {
            self.input = input
            self.reason = reason
        }
        public var description: String { "\(input): \(reason)" }
    }

    /// The image files `inputs` name, in order: each file as given, each folder's images sorted
    /// by name, each pattern's matches sorted; a file named twice is kept once.
    public static func expand(_ inputs: [String]) throws -> [String] {
        var paths: [String] = []
        var seen: Set<String> = []
        func add(_ path: String) {
            let key = (path as NSString).standardizingPath
            if seen.insert(key).inserted { paths.append(path) }
        }
        for input in inputs {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory) {
                if isDirectory.boolValue {
                    let found = try folder(input)
                    guard !found.isEmpty else {
                        throw Error(input: input, reason: "a folder with no image files (.jpg, .jpeg, .png, ...) in it")
                    }
                    found.forEach(add)
                } else {
                    add(input)
                }
            } else if isPattern(input) {
                let found = try glob(input)
                guard !found.isEmpty else { throw Error(input: input, reason: "no file matches this pattern") }
                found.forEach(add)
            } else {
                throw Error(input: input, reason: "no such file or folder")
            }
        }
        return paths
    }

    /// The image files directly inside `folder`, sorted by name (hidden files left out; a
    /// broken link is kept, so that reading it reports it).
    static func folder(_ folder: String) throws -> [String] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: folder) } catch {
            throw Error(input: folder, reason: "cannot list the folder: \(error.localizedDescription)")
        }
        return names.filter { !$0.hasPrefix(".") && folderExtensions.contains(($0 as NSString).pathExtension.lowercased()) }
            .sorted()
            .map { (folder as NSString).appendingPathComponent($0) }
            .filter { path in
                var isDirectory: ObjCBool = false
                return !(FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue)
            }
    }

    static func isPattern(_ input: String) -> Bool { input.contains { $0 == "*" || $0 == "?" || $0 == "[" } }

    /// The files matching a glob(3) pattern (folders left out, broken links kept), sorted.
    static func glob(_ pattern: String) throws -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        let rc = Glibc.glob(pattern, 0, nil, &result)
        if rc == GLOB_NOMATCH { return [] }
        guard rc == 0 else { throw Error(input: pattern, reason: "cannot expand the pattern (glob error \(rc))") }
        var matches: [String] = []
        for i in 0..<Int(result.gl_pathc) {
            guard let p = result.gl_pathv[i] else { continue }
            let path = String(cString: p)
            var isDirectory: ObjCBool = false
            if !(FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue) { matches.append(path) }
        }
        return matches.sorted()
    }
}
