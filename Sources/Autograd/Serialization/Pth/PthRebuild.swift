/// The calls a checkpoint's pickle makes (REDUCE on an interpreted global), as torch defines
/// them: tensors from storages, parameters, `OrderedDict()`, `torch.Size`, `bytes`.
enum PthRebuild {
    static func call(_ g: PthGlobal, _ a: [PickleValue]) throws(PthRecordError) -> PickleValue {
        switch g {
        case .orderedDict:
            guard a.isEmpty else { throw PthRecordError("collections.OrderedDict called with arguments") }
            return .dict(PickleDict())
        case .rebuildTensorV2:
            guard (6...7).contains(a.count) else { throw PthRecordError("\(g) takes 6 or 7 arguments, got \(a.count)") }
            if a.count == 7 {
                switch a[6] {
                case .none: break
                case .dict(let d) where d.count == 0: break
                default: throw PthRecordError("\(g): tensor metadata (conjugate or negative bits) is not supported")
                }
            }
            return try tensor(a)
        case .rebuildTensor:
            guard a.count == 4 else { throw PthRecordError("\(g) takes 4 arguments, got \(a.count)") }
            return try tensor(a)
        case .rebuildParameter, .rebuildParameterWithState:
            guard a.count == (g == .rebuildParameter ? 3 : 4), case .tensor(var t) = a[0] else {
                throw PthRecordError("\(g): expected a tensor and its flags")
            }
            t.isParameter = true
            return .tensor(t)
        case .rebuildFromTypeV2:
            guard a.count == 4, case .global(let f) = a[0], case .global(.tensorType) = a[1], let args = a[2].items else {
                throw PthRecordError("\(g): only torch.Tensor and Parameter subclasses are supported")
            }
            return try call(f, args)
        case .torchSize:
            guard a.count == 1, let dims = a[0].items else { throw PthRecordError("torch.Size expects one tuple") }
            return .tuple(PickleSequence(dims))
        case .codecsEncode:
            guard a.count == 2, let s = a[0].string else { throw PthRecordError("_codecs.encode expects (str, 'latin1')") }
            guard a[1].string == "latin1" || a[1].string == "latin-1" else {
                throw PthRecordError("_codecs.encode with encoding \(a[1].string ?? a[1].kind) is not supported")
            }
            var out: [UInt8] = []
            for u in s.unicodeScalars {
                guard u.value < 256 else { throw PthRecordError("_codecs.encode: a character above U+00FF") }
                out.append(UInt8(u.value))
            }
            return .bytes(out)
        case .getattrOnOpaque:
            guard a.count == 2, case .opaque(let owner) = a[0], let name = a[1].string else {
                throw PthRecordError("builtins.getattr is accepted only on a skipped (opaque) object, here on \(a.first?.kind ?? "nothing")")
            }
            return .opaque(owner + "." + name)
        case .storageClass, .tensorType:
            throw PthRecordError("\(g) cannot be called")
        }
    }

    /// `(storage, storage_offset, size, stride, ...)` -> a validated tensor record.
    private static func tensor(_ a: [PickleValue]) throws(PthRecordError) -> PickleValue {
        guard case .storage(let s) = a[0], let offset = a[1].int, let size = ints(a[2]), let stride = ints(a[3]) else {
            throw PthRecordError("tensor arguments are not (storage, offset, size, stride)")
        }
        return .tensor(try PthTensorRecord(storage: s, offset: offset, size: size, stride: stride))
    }

    private static func ints(_ v: PickleValue) -> [Int64]? {
        guard let items = v.items else { return nil }
        var out: [Int64] = []
        for i in items {
            guard let x = i.int else { return nil }
            out.append(x)
        }
        return out
    }

    /// A persistent id `('storage', <storage class>, key, location, numel[, view_metadata])`
    /// checked as torch's loader does; `key` names a zip entry, so it is restricted to
    /// `[0-9A-Za-z_]{1,64}`.
    static func storageID(_ pid: PickleValue, legacy: Bool) throws(PthRecordError) -> (key: String, dtype: PthDType, numel: Int) {
        guard let t = pid.items, t.count == (legacy ? 6 : 5) else {
            throw PthRecordError("persistent id is not a \(legacy ? 6 : 5)-tuple ('storage', class, key, location, numel...)")
        }
        let tag: String? = switch t[0] {
        case .string(let s): s
        case .bytes(let b): String(decoding: b, as: UTF8.self)
        default: nil
        }
        guard tag == "storage" else { throw PthRecordError("persistent id does not start with 'storage'") }
        guard case .global(.storageClass(let dtype)) = t[1] else {
            throw PthRecordError("persistent id names \(t[1].kind) where a torch storage class is expected")
        }
        guard let key = t[2].string, (1...64).contains(key.utf8.count),
              key.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 95 })
        else { throw PthRecordError("invalid storage key \(t[2].string.map { "'\($0)'" } ?? t[2].kind)") }
        guard let n = t[4].int, n >= 0, n < 1 << 48 else { throw PthRecordError("storage \(key): invalid element count") }
        if legacy, !t[5].isNone { throw PthRecordError("storage \(key): views of old torch (view_metadata) are not supported") }
        return (key, dtype, Int(n))
    }
}
