import Autograd
import Config
import Foundation
import Kernels
import Testing
import TestSupport

/// The `.pth` reader against files written by PyTorch itself (Tests/Fixtures/pth, made once by
/// `make_pth_fixtures.py` there; `cases.json` lists each file with its expected tensors or
/// what is wrong with it): every well-formed file gives torch's tensors bit for bit, every
/// malicious or corrupt one a thrown error that says what is wrong, and nothing runs.
@Suite struct PthFileTests {
    struct LoadCase: CustomTestStringConvertible, Sendable {
        let file: String, format: String, zipPrefix: String?, stateDictKey: String?
        let topKeys: [String]?, order: [String], nonTensorKeys: [String], expectedSafetensors: String?
        let tensors: [String: [String: String]]  // key -> dtype, shape (JSON), hex
        var testDescription: String { file }
    }

    struct RefuseCase: CustomTestStringConvertible, Sendable {
        let file: String, kind: String, detail: String
        var testDescription: String { "\(file) (\(kind))" }
    }

    /// cases.json through Config's JSON reader, which keeps key order (the state-dict order).
    static let manifest: ConfigDict = {
        guard let path = try? TestFiles.fixture("pth/cases.json"), let text = try? String(contentsOfFile: path, encoding: .utf8),
              let dict = try? ConfigDict(jsonText: text, name: path) else { return [:] }
        return dict
    }()

    static func strings(_ v: ConfigValue?) -> [String]? { v?.elements?.compactMap(\.stringValue) }

    static let loadCases: [LoadCase] = (manifest["load"]?.elements ?? []).compactMap { item in
        guard let c = item.dictValue else { return nil }
        var tensors: [String: [String: String]] = [:], order: [String] = []
        for (key, value) in c["tensors"]?.dictValue ?? [:] {
            guard let t = value.dictValue else { continue }
            order.append(key)
            let shape = (t["shape"]?.elements ?? []).compactMap(\.intValue).map(String.init).joined(separator: ",")
            tensors[key] = ["dtype": t["dtype"]?.stringValue ?? "", "shape": shape, "hex": t["hex"]?.stringValue ?? ""]
        }
        return LoadCase(file: c["file"]?.stringValue ?? "", format: c["format"]?.stringValue ?? "",
                        zipPrefix: c["zip_prefix"]?.stringValue, stateDictKey: c["state_dict_key"]?.stringValue,
                        topKeys: strings(c["top_keys"]), order: order, nonTensorKeys: strings(c["non_tensor_keys"]) ?? [],
                        expectedSafetensors: c["expected_safetensors"]?.stringValue, tensors: tensors)
    }

    static let refuseCases: [RefuseCase] = (manifest["refuse"]?.elements ?? []).compactMap { item in
        guard let c = item.dictValue else { return nil }
        return RefuseCase(file: c["file"]?.stringValue ?? "", kind: c["kind"]?.stringValue ?? "",
                          detail: c["detail"].map { $0.stringValue ?? "\($0)" } ?? "")
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    @Test func theManifestIsThere() {
        #expect(Self.loadCases.count >= 20 && Self.refuseCases.count >= 25, "\(Self.loadCases.count) load, \(Self.refuseCases.count) refuse cases")
    }

    @Test(arguments: loadCases)
    func loadsAsTorchDoes(_ c: LoadCase) throws {
        let file = try PthFile(path: try TestFiles.fixture("pth/" + c.file))
        #expect(file.format.rawValue == c.format)
        if let p = c.zipPrefix { #expect(file.zipPrefix == p) }
        #expect(file.fromStateDictEntry == (c.stateDictKey == "state_dict"))
        if let top = c.topKeys { #expect(file.topKeys == top) }
        #expect(file.skipped == c.nonTensorKeys)
        if let expected = c.expectedSafetensors {
            let st = try SafetensorsFile(path: try TestFiles.fixture("pth/" + expected))
            let plain = file.names.map { $0.hasPrefix("module.") ? String($0.dropFirst(7)) : $0 }
            // A file may lack num_batches_tracked (old torchvision files do); nothing else.
            let missing = Set(st.names).subtracting(plain)
            #expect(Set(plain).isSubset(of: Set(st.names)) && missing.allSatisfy { $0.hasSuffix("num_batches_tracked") },
                    "\(c.file): keys differ from \(expected)")
            for (name, key) in zip(file.names, plain) where st.names.contains(key) {
                let a = try file.indicesAsTensor(name), b = try st.indicesAsTensor(key)
                #expect(a.shape == b.shape && a.scalars.map(\.bitPattern) == b.scalars.map(\.bitPattern), "\(c.file): \(name)")
            }
        } else {
            #expect(file.names == c.order, "\(c.file): tensor keys or order")
            for name in file.names {
                let e = try #require(c.tensors[name])
                #expect(file.dtype(name)?.rawValue == e["dtype"], "\(name) dtype")
                #expect(file.shape(name)?.map(String.init).joined(separator: ",") == e["shape"], "\(name) shape")
                #expect(Self.hex(try file.rawBytes(name)) == e["hex"], "\(c.file): \(name) bytes")
            }
        }
    }

    /// What the message of each kind of refusal must say.
    static func mustSay(_ kind: String) -> [String] {
        switch kind {
        case "blocked_global": ["refused global", "blocked module", "at byte"]
        case "unknown_global": ["refused global", "not a type found in PyTorch/OpenMMLab checkpoints", "SWIFTDET_ALLOW_GLOBALS="]
        case "opcode": ["unsupported pickle opcode"]
        case "persistent_id": ["persistent id"]
        case "storage_class": []  // "refused global" (os.system) or "where a torch storage class is expected"
        case "storage_key": ["invalid storage key"]
        case "tensor_bounds": ["elements, the tensor"]
        case "size_overflow": ["overflow"]
        case "storage_short": ["needs"]
        case "storage_missing": ["missing"]
        case "crc": ["CRC-32 mismatch"]
        case "truncated_zip": ["zip"]
        case "truncated_legacy": ["truncated"]
        case "bad_magic", "random": ["not a PyTorch checkpoint"]
        case "tar": ["tar archive"]
        case "empty": ["empty file"]
        case "nesting": ["nested"]
        case "memo_missing": ["memo entry"]
        case "stop_stack": ["STOP"]
        case "torchscript": ["TorchScript"]
        case "tensor_metadata": ["metadata"]
        case "untyped_storage", "complex_storage": ["refused global"]
        default: []
        }
    }

    /// Deflate-compressed entries (a user's re-zip) are inflated with zlib: the same tensors.
    @Test func deflatedArchiveReadsAsTheStoredOne() throws {
        let a = try PthFile(path: try TestFiles.fixture("pth/deflate.pth"))
        let b = try PthFile(path: try TestFiles.fixture("pth/zip_p2_dtypes.pth"))
        #expect(a.names == b.names && !a.names.isEmpty)
        for name in a.names { #expect(try a.rawBytes(name) == b.rawBytes(name), "\(name)") }
    }

    /// A class the reader does not know is refused, and accepted as opaque when the caller
    /// names it; a blocked module never is.
    @Test func extraOpaqueGlobalsAreAcceptedOnRequest() throws {
        var options = PthFile.Options()
        options.extraOpaqueGlobals = ["mypkg.Foo", "posix.system"]
        let file = try PthFile(path: try TestFiles.fixture("pth/unknown_global.pth"), options: options)
        #expect(!file.names.isEmpty)
        #expect(throws: PthError.self) { try PthFile(path: try TestFiles.fixture("pth/evil_system_zip.pth"), options: options) }
    }

    @Test(arguments: refuseCases)
    func refusesWithAClearError(_ c: RefuseCase) throws {
        let path = try TestFiles.fixture("pth/" + c.file)
        let start = Date()
        do {
            let file = try PthFile(path: path)
            for name in file.names { _ = try file.rawBytes(name) }
            // A memo bomb may load as a non-dict object; deflate entries are inflated with zlib.
            #expect(c.kind == "deflate", "\(c.file) (\(c.kind)) loaded")
        } catch {
            // The message alone: the path holds words such as "overflow" too.
            let text = (error as? PthError)?.message ?? "\(error)"
            #expect(c.kind != "deflate", "\(c.file): \(text)")
            #expect("\(error)".hasPrefix(path), "\(c.file): \(error)")
            for part in Self.mustSay(c.kind) { #expect(text.contains(part), "\(c.file) (\(c.kind)): \(text)") }
            if c.kind == "storage_class" {
                #expect(text.contains("refused global") || text.contains("torch storage class is expected"), "\(c.file): \(text)")
            }
        }
        #expect(Date().timeIntervalSince(start) < 2, "\(c.file) took \(Date().timeIntervalSince(start)) s")
        let pwned = (try? FileManager.default.contentsOfDirectory(atPath: "/tmp"))?.filter { $0.hasPrefix("swiftdet_pwned") } ?? []
        #expect(pwned.isEmpty, "a payload ran: \(pwned)")
    }
}

/// 10,000 damaged copies of real `.pth` files (bytes flipped, truncated, lengths patched; in
/// zip files also inside the pickle, past its CRC check): never a crash, a hang or a trap;
/// every failure is a thrown error naming the file.
@Suite struct PthFuzzTests {
    static let sources = ["zip_p2_dtypes.pth", "legacy_dtypes.pth", "zip_views.pth", "legacy_views.pth", "zip_meta.pth",
                          "mmengine_full.pth", "zip_p4.pth", "zip_numpy.pth", "keys_mmcls.pth", "pyzip_rewrite.pth"]

    @Test func damagedFilesAreErrorsNotCrashes() throws {
        let dir = try TestFiles.fixture("pth")
        let originals = Self.sources.compactMap { FileManager.default.contents(atPath: dir + "/" + $0) }.map { [UInt8]($0) }
        try #require(originals.count == Self.sources.count, "fuzz sources missing in \(dir)")
        var rng = SeededGenerator(seed: 11)
        var options = PthFile.Options()
        options.verifyPickleCRC = false
        var loaded = 0, refused = 0
        let start = Date()
        for i in 0..<10_000 {
            var b = originals[i % originals.count]
            switch Int.random(in: 0..<4, using: &rng) {
            case 0:  // flip 1-8 bytes
                for _ in 0...Int.random(in: 0..<8, using: &rng) { b[Int.random(in: 0..<b.count, using: &rng)] ^= UInt8(1 + Int.random(in: 0..<255, using: &rng)) }
            case 1:  // truncate
                b.removeLast(1 + Int.random(in: 0..<b.count, using: &rng))
            case 2:  // a 4-byte little-endian length patched to a large or small value
                let at = Int.random(in: 0..<max(1, b.count - 4), using: &rng)
                let v: UInt32 = Int.random(in: 0..<2, using: &rng) == 0 ? UInt32.max - UInt32(Int.random(in: 0..<16, using: &rng)) : UInt32(Int.random(in: 0..<300, using: &rng))
                for k in 0..<4 where at + k < b.count { b[at + k] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(k))) }
            default:  // one byte of the first 2 KiB (headers, the pickle's start) set to an opcode-like value
                b[Int.random(in: 0..<min(b.count, 2048), using: &rng)] = [0x2E, 0x28, 0x52, 0x62, 0x68, 0x71, 0x7D, 0x8A, 0x93, 0x51][Int.random(in: 0..<10, using: &rng)]
            }
            do {
                let f = try PthFile(data: Data(b), path: "fuzz-\(i).pth", options: options)
                for name in f.names { _ = try f.rawBytes(name) }
                loaded += 1
            } catch let e as PthError {
                #expect(e.path == "fuzz-\(i).pth" && !e.message.isEmpty)
                refused += 1
            }
        }
        #expect(loaded + refused == 10_000 && refused > 5_000, "\(loaded) loaded, \(refused) refused")
        #expect(Date().timeIntervalSince(start) < 60, "fuzzing took \(Date().timeIntervalSince(start)) s")
    }
}

/// The `.pth` writer: what it writes reads back bit for bit (values, shapes, order, integer
/// buffers, 0-dim and empty tensors), in torch's layout (`archive/` entries, 64-byte aligned
/// storages, CRCs that the reader checks).
@Suite struct PthWriterTests {
    @Test func writtenFilesReadBackExactly() throws {
        var rng = SeededGenerator(seed: 4)
        let a = Tensor.zeros([3, 5])
        a.update { b in for i in b.indices { b[i] = Float.random(in: -3...3, using: &rng) } }
        let sources: [(String, Tensor, Bool)] = [
            ("backbone.conv1.weight", a, false), ("bn.num_batches_tracked", Tensor(shape: [], [12345]), true),
            ("empty", Tensor.zeros([0, 3]), false), ("special", Tensor(shape: [4], [.infinity, -.infinity, .nan, -0.0]), false),
        ] + (0..<1100).map { ("many.\($0)", Tensor(shape: [1], [Float($0)]), false) }
        // Raw items keep their dtype: bfloat16 and int8 bytes as given.
        let half: [UInt8] = [0x80, 0x3F, 0x00, 0xC0, 0x49, 0x40]  // bf16 1.0, -2.0, 3.140625
        let raw = [PthWriter.Item(name: "raw.bf16", dtype: .bfloat16, shape: [3], bytes: half),
                   PthWriter.Item(name: "raw.i8", dtype: .int8, shape: [2, 1], bytes: [0xFF, 0x7F])]
        let items = sources.map { PthWriter.Item(name: $0.0, tensor: $0.1, isInteger: $0.2) } + raw
        let data = try PthWriter.encode(items, meta: ["source": "test", "config": "a\nb"])
        let file = try PthFile(data: data, path: "written.pth")
        #expect(file.format == .zip && file.zipPrefix == "archive" && file.fromStateDictEntry && file.topKeys == ["meta", "state_dict"])
        #expect(file.names == items.map(\.name))
        for (name, tensor, integer) in sources {
            let back = try file.tensor(name)
            #expect(back.shape == tensor.shape && back.scalars.map(\.bitPattern) == tensor.scalars.map(\.bitPattern), "\(name)")
            #expect(file.dtype(name) == (integer ? .int64 : .float32))
        }
        #expect(try file.rawBytes("raw.bf16") == half && file.dtype("raw.bf16") == .bfloat16 && file.tensor("raw.bf16").scalars == [1, -2, 3.140625])
        #expect(try file.rawBytes("raw.i8") == [0xFF, 0x7F] && file.shape("raw.i8") == [2, 1] && file.tensor("raw.i8").scalars == [-1, 127])
        // Storages start at 64-byte aligned offsets, as torch.save writes them.
        let bytes = [UInt8](data)
        var at = 0, storages = 0
        while at + 30 <= bytes.count, bytes[at] == 0x50, bytes[at + 1] == 0x4B, bytes[at + 2] == 3, bytes[at + 3] == 4 {
            let size = Int(bytes[at + 18]) | Int(bytes[at + 19]) << 8 | Int(bytes[at + 20]) << 16 | Int(bytes[at + 21]) << 24
            let n = Int(bytes[at + 26]) | Int(bytes[at + 27]) << 8, x = Int(bytes[at + 28]) | Int(bytes[at + 29]) << 8
            let name = String(decoding: bytes[(at + 30)..<(at + 30 + n)], as: UTF8.self)
            let start = at + 30 + n + x
            #expect(start % 64 == 0, "\(name) at \(start)")
            if name.hasPrefix("archive/data/") { storages += 1 }
            at = start + size
        }
        #expect(storages == items.count)
    }
}
