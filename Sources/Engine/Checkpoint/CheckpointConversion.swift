import Autograd
import Foundation
import Structures

/// `convert-checkpoint`'s work: `.pth` to `.safetensors` and back (the format from each
/// file's extension), keeping every tensor's dtype and bytes; the key selection of mmengine
/// (`state_dict` entry or `--key`, `--prefix` kept and stripped, a leading `module.` stripped
/// on request); the output written atomically and read back to check it.
public enum CheckpointConversion {
    public struct Options {
        /// The top-level entry with the tensors (nil: mmengine's rule).
        public var key: String?
        /// Keep only keys under this prefix, without it (`backbone.`).
        public var prefix: String?
        /// Strip a leading `module.` (DataParallel).
        public var stripModule = false
        /// Globals to skip as opaque values besides the built-in list (`--allow-global`).
        public var allowGlobals: Set<String> = []
        public init() {}
    }

    /// One tensor of a checkpoint: its (converted) key, dtype, shape and bytes.
    public struct Entry {
        public let key: String
        public let dtype: PthDType
        public let shape: [Int]
        let bytes: () throws -> [UInt8]
    }

    public struct Summary {
        public var tensors = 0
        public var skipped: [String] = []
        public var outputBytes = 0
    }

    public struct Failure: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    /// The tensors of `path` after the options' key rules, without reading their data.
    public static func entries(_ path: String, options: Options = Options()) throws -> (entries: [Entry], skipped: [String], format: String) {
        var out: [Entry] = []
        var skipped: [String] = []
        let format: String
        func rename(_ name: String) -> String? {
            var k = name
            if options.stripModule, k.hasPrefix("module.") { k.removeFirst("module.".count) }
            if let p = options.prefix.map({ $0.hasSuffix(".") ? $0 : $0 + "." }) {
                guard k.hasPrefix(p) else { return nil }
                k.removeFirst(p.count)
            }
            return k
        }
        if path.hasSuffix(".safetensors") {
            let file = try SafetensorsFile(path: path)
            format = "safetensors"
            for name in file.names {
                guard let key = rename(name), let e = file.entries[name] else { continue }
                out.append(Entry(key: key, dtype: e.dtype.element, shape: e.shape, bytes: { try file.rawBytes(name) }))
            }
        } else {
            var o = PthFile.Options()
            o.stateDictKey = options.key
            o.extraOpaqueGlobals.formUnion(options.allowGlobals)
            let file = try PthFile(path: path, options: o)
            format = file.format.rawValue
            skipped = file.skipped
            for name in file.names {
                guard let key = rename(name), let dtype = file.dtype(name), let shape = file.shape(name) else { continue }
                out.append(Entry(key: key, dtype: dtype, shape: shape, bytes: { try file.rawBytes(name) }))
            }
        }
        guard !out.isEmpty else {
            throw Failure(message: "\(path): no tensors" + (options.prefix.map { " under prefix '\($0)'" } ?? ""))
        }
        let keys = out.map(\.key)
        if Set(keys).count != keys.count { throw Failure(message: "\(path): two tensors map to the same key after the key rules") }
        return (out, skipped, format)
    }

    /// Converts `input` into `output` (`.pth`/`.pt` or `.safetensors`), then reads the output
    /// back and compares every tensor's bytes.
    @discardableResult
    public static func convert(_ input: String, to output: String, options: Options = Options()) throws -> Summary {
        let (entries, skipped, format) = try Self.entries(input, options: options)
        let data: Data
        if output.hasSuffix(".safetensors") {
            var meta = ["format": "pt", "source": (input as NSString).lastPathComponent, "source_format": format]
            meta["source_sha256"] = try FileDigest.sha256(input)
            if !skipped.isEmpty { meta["skipped"] = skipped.joined(separator: ",") }
            data = try SafetensorsFile.encode(try entries.map {
                SafetensorsFile.Item(name: $0.key, dtype: SafetensorsFile.DType($0.dtype), shape: $0.shape, bytes: try $0.bytes())
            }, metadata: meta)
        } else if output.hasSuffix(".pth") || output.hasSuffix(".pt") {
            data = try PthWriter.encode(try entries.map {
                PthWriter.Item(name: $0.key, dtype: $0.dtype, shape: $0.shape, bytes: try $0.bytes())
            }, meta: ["source": (input as NSString).lastPathComponent, "converted_by": "SwiftDet convert-checkpoint"])
        } else {
            throw Failure(message: "\(output): the output must end in .pth, .pt or .safetensors")
        }
        // Written beside the output under another name (same suffix) and read back from there;
        // only a file that reads back as written replaces the output.
        let name = (output as NSString).lastPathComponent, ext = (name as NSString).pathExtension
        let checked = ((output as NSString).deletingLastPathComponent as NSString)
            .appendingPathComponent(".\(name).check-\(getpid()).\(ext)")
        do { try AtomicFile.write(data, to: checked) } catch let f as AtomicFile.Failure {
            throw Failure(message: "\(output): \(f.reason)")
        }
        defer { unlink(checked) }
        let back: [Entry]
        do { back = try Self.entries(checked).entries } catch {
            throw Failure(message: "\(output): does not read back (\(error)); not written")
        }
        guard back.map(\.key) == entries.map(\.key) || Set(back.map(\.key)) == Set(entries.map(\.key)) else {
            throw Failure(message: "\(output): read back with other keys; not written")
        }
        let byKey = Dictionary(uniqueKeysWithValues: back.map { ($0.key, $0) })
        for e in entries {
            guard let b = byKey[e.key], b.dtype == e.dtype, b.shape == e.shape, try b.bytes() == e.bytes() else {
                throw Failure(message: "\(output): tensor \(e.key) does not read back as written; not written")
            }
        }
        guard rename(checked, output) == 0 else {
            throw Failure(message: "\(output): cannot write: \(String(cString: strerror(errno)))")
        }
        return Summary(tensors: entries.count, skipped: skipped, outputBytes: data.count)
    }
}
