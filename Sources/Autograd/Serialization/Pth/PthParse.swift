/// The two layouts of a `.pth` file, parsed into the pickled top object and where each
/// storage's bytes are (PyTorch's `torch/serialization.py`, `_load` and `_legacy_load`).
struct PthParse {
    var format: PthFile.Format
    var zipPrefix: String?
    var bigEndian = false
    var top: PickleValue
    var storages: [String: PthFile.StorageBytes]

    /// The storages a pickle refers to, one per key (views share theirs).
    final class StorageTable {
        var byKey: [String: PthStorage] = [:]
        var order: [String] = []

        func load(_ pid: PickleValue, legacy: Bool) throws(PthRecordError) -> PickleValue {
            let (key, dtype, numel) = try PthRebuild.storageID(pid, legacy: legacy)
            if let s = byKey[key] {
                guard s.dtype == dtype else { throw PthRecordError("storage \(key) is read as \(s.dtype) and as \(dtype)") }
                return .storage(s)
            }
            let s = PthStorage(key: key, dtype: dtype, numel: numel)
            byKey[key] = s
            order.append(key)
            return .storage(s)
        }
    }

    // MARK: - Zip (torch >= 1.6)

    static func zip(_ b: UnsafeRawBufferPointer, path: String, options: PthFile.Options) throws -> PthParse {
        let archive = try ZipArchive(b, path: path)
        guard let first = archive.entries.first, let slash = first.name.firstIndex(of: "/") else {
            throw PthError(path, "a zip archive without torch.save's folder layout: not a PyTorch checkpoint")
        }
        let prefix = String(first.name[..<slash])
        if archive.byName[prefix + "/constants.pkl"] != nil || archive.entries.contains(where: { $0.name.hasPrefix(prefix + "/code/") }) {
            throw PthError(path, "a TorchScript archive (torch.jit.save), not a checkpoint")
        }
        guard let pkl = archive.byName[prefix + "/data.pkl"] else { throw PthError(path, "no \(prefix)/data.pkl: not a PyTorch checkpoint") }
        var bigEndian = false
        if let order = archive.byName[prefix + "/byteorder"] {
            let text = String(decoding: try archive.contents(order, in: b, verify: false), as: UTF8.self)
            guard text == "little" || text == "big" else { throw PthError(path, "\(prefix)/byteorder says '\(text)'") }
            bigEndian = text == "big"
        }
        let pickle = try archive.contents(pkl, in: b, verify: options.verifyPickleCRC)
        let table = StorageTable()
        var vm = PickleMachine(path: path, streamName: prefix + "/data.pkl", extraOpaque: options.extraOpaqueGlobals) { pid throws(PthRecordError) in
            try table.load(pid, legacy: false)
        }
        let top = try pickle.withUnsafeBytes { (p: UnsafeRawBufferPointer) throws(PthError) in try vm.run(p, from: 0).0 }
        var storages: [String: PthFile.StorageBytes] = [:]
        for key in table.order {
            let s = table.byKey[key]!
            let name = "\(prefix)/data/\(key)"
            guard let i = archive.byName[name] else { throw PthError(path, "storage \(key) is missing (no \(name))") }
            let want = s.numel * s.dtype.itemSize
            guard archive.entries[i].size == want else {
                throw PthError(path, "\(name) has \(archive.entries[i].size) bytes, storage \(key) of \(s.numel) \(s.dtype) needs \(want)")
            }
            if archive.entries[i].method == 0 && !options.verifyStorageCRC {
                storages[key] = .mapped(try archive.dataRange(i, in: b))
            } else {
                storages[key] = .inflated(try archive.contents(i, in: b, verify: true))
            }
        }
        return PthParse(format: .zip, zipPrefix: prefix, bigEndian: bigEndian, top: top, storages: storages)
    }

    // MARK: - Legacy (torch < 1.6, publish_model.py)

    /// Five pickles (magic, protocol 1001, sys_info, the object, the sorted storage keys), then
    /// for each key in that order an int64 element count and the storage's little-endian bytes.
    static func legacy(_ b: UnsafeRawBufferPointer, path: String, options: PthFile.Options) throws -> PthParse {
        let table = StorageTable()
        var vm = PickleMachine(path: path, streamName: "the file", extraOpaque: options.extraOpaqueGlobals) { pid throws(PthRecordError) in
            try table.load(pid, legacy: true)
        }
        var pc = 0
        var values: [PickleValue] = []
        for _ in 0..<5 {
            let (v, end) = try vm.run(b, from: pc, base: pc)
            values.append(v)
            pc = end
        }
        guard values[1].int == 1001 else { throw PthError(path, "legacy checkpoint of protocol \(values[1].int.map(String.init) ?? "?"), expected 1001") }
        guard let keyValues = values[4].items else { throw PthError(path, "legacy checkpoint without its storage key list") }
        let keys = try keyValues.map { v throws(PthError) -> String in
            guard let k = v.string else { throw PthError(path, "a storage key is a \(v.kind)") }
            return k
        }
        guard Set(keys) == Set(table.order), keys.count == table.order.count else {
            throw PthError(path, "the storage key list does not match the storages the pickle refers to")
        }
        let r = ByteReader(bytes: b)
        var storages: [String: PthFile.StorageBytes] = [:]
        for key in keys {
            let s = table.byKey[key]!
            guard let n = r.u64(pc) else { throw PthError(path, "truncated storage \(key): no element count at byte \(pc)") }
            guard n == UInt64(s.numel) else { throw PthError(path, "storage \(key) has \(n) elements in its record, \(s.numel) in the pickle") }
            guard let range = r.range(pc + 8, s.numel * s.dtype.itemSize) else {
                throw PthError(path, "truncated storage \(key): \(s.numel * s.dtype.itemSize) bytes expected at byte \(pc + 8)")
            }
            storages[key] = .mapped(range)
            pc = range.upperBound
        }
        return PthParse(format: .legacy, zipPrefix: nil, top: values[3], storages: storages)
    }
}
