/// One storage of a checkpoint: its key, element type and element count. The file locates
/// its bytes (a zip entry `data/<key>`, or a record after the legacy pickles).
final class PthStorage {
    let key: String
    let dtype: PthDType
    let numel: Int

    init(key: String, dtype: PthDType, numel: Int) {
        self.key = key
        self.dtype = dtype
        self.numel = numel
    }
}

/// A tensor as the checkpoint describes it: a storage, an element offset, a size and strides,
/// checked against the storage when it is made (torch's `_rebuild_tensor_v2`).
struct PthTensorRecord {
    let storage: PthStorage
    let offset: Int
    let shape: [Int]
    let strides: [Int]
    var isParameter = false

    /// The most elements of a tensor that has more than its storage (1 GiB of float32).
    static let maxExpandedElements: Int64 = 1 << 28

    /// Checks sizes, strides and offset (non-negative, < 2^48, products without overflow) and
    /// that every element lies inside the storage; the message says what does not fit.
    init(storage: PthStorage, offset: Int64, size: [Int64], stride: [Int64]) throws(PthRecordError) {
        let limit: Int64 = 1 << 48
        guard size.count == stride.count, size.count <= 16 else {
            throw PthRecordError("size \(size) and stride \(stride) do not match (at most 16 dimensions)")
        }
        guard offset >= 0, size.allSatisfy({ $0 >= 0 }), stride.allSatisfy({ $0 >= 0 }) else {
            throw PthRecordError("negative size \(size), stride \(stride) or offset \(offset)")
        }
        guard offset < limit, size.allSatisfy({ $0 < limit }), stride.allSatisfy({ $0 < limit }) else {
            throw PthRecordError("size \(size), stride \(stride) or offset \(offset) beyond 2^48 elements (integer overflow)")
        }
        var numel: Int64 = 1
        for s in size {
            let (p, o) = numel.multipliedReportingOverflow(by: s)
            guard !o, p < limit else { throw PthRecordError("size \(size): integer multiplication overflow") }
            numel = p
        }
        if numel > 0 {
            var maxIndex = offset
            for (s, st) in zip(size, stride) {
                let (p, o1) = (s - 1).multipliedReportingOverflow(by: st)
                let (q, o2) = maxIndex.addingReportingOverflow(p)
                guard !o1, !o2 else { throw PthRecordError("size \(size), stride \(stride): integer overflow") }
                maxIndex = q
            }
            guard maxIndex < Int64(storage.numel) else {
                throw PthRecordError("storage \(storage.key) has \(storage.numel) elements, the tensor (offset \(offset), "
                                     + "size \(size), stride \(stride)) needs \(maxIndex + 1)")
            }
            // Zero or overlapping strides (an expanded tensor) read elements more than once; the
            // copy SwiftDet makes is bounded, so that a small file cannot ask for terabytes.
            guard numel <= max(Int64(storage.numel), Self.maxExpandedElements) else {
                throw PthRecordError("size \(size) with stride \(stride) repeats the \(storage.numel) elements of storage "
                                     + "\(storage.key) into \(numel): at most \(Self.maxExpandedElements) for a tensor larger than its storage")
            }
        } else if offset > Int64(storage.numel) {
            throw PthRecordError("offset \(offset) is beyond storage \(storage.key) of \(storage.numel) elements")
        }
        self.storage = storage
        self.offset = Int(offset)
        shape = size.map { Int($0) }
        strides = stride.map { Int($0) }
    }

    var count: Int { shape.reduce(1, *) }

    /// Row-major with the given strides (dimensions of size 1 ignored).
    var isContiguous: Bool {
        var expected = 1
        for (s, st) in zip(shape, strides).reversed() where s != 1 {
            if st != expected { return false }
            expected *= s
        }
        return true
    }

    /// The tensor's elements, row-major, as little-endian bytes, from its storage's bytes
    /// (`bigEndian`: the storage holds byte-swapped elements).
    func contiguousBytes(storageBytes: UnsafeRawBufferPointer, bigEndian: Bool) -> [UInt8] {
        let isz = storage.dtype.itemSize, n = count
        var out = [UInt8](repeating: 0, count: n * isz)
        out.withUnsafeMutableBytes { dst in
            if isContiguous {
                dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: storageBytes[(offset * isz)..<((offset + n) * isz)]))
            } else {
                var index = [Int](repeating: 0, count: shape.count)
                for i in 0..<n {
                    var e = offset
                    for d in 0..<shape.count { e += index[d] * strides[d] }
                    for b in 0..<isz { dst[i * isz + b] = storageBytes[e * isz + b] }
                    var d = shape.count - 1
                    while d >= 0 {
                        index[d] += 1
                        if index[d] < shape[d] { break }
                        index[d] = 0
                        d -= 1
                    }
                }
            }
            if bigEndian && isz > 1 {
                for i in 0..<n { dst[(i * isz)..<((i + 1) * isz)].reverse() }
            }
        }
        return out
    }
}

/// A tensor geometry that does not fit its storage (the caller adds file and position).
struct PthRecordError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
