import Kernels

/// A Float32, contiguous, row-major n-dimensional array with reverse-mode autograd
/// (the role of `torch.Tensor`). Images are NCHW.
///
/// Tensors are reference types like PyTorch's: `reshape` and `detach` share storage, and
/// in-place updates (`update`) are visible through every view.
public final class Tensor: @unchecked Sendable {
    public let shape: [Int]
    public let count: Int
    public let storage: TensorStorage
    /// Whether gradients flow to (leaf) or through (non-leaf) this tensor.
    public var requiresGrad: Bool
    /// Accumulated gradient of a leaf after `backward()`.
    public var grad: Tensor?
    /// The op that produced this tensor, nil for leaves.
    public internal(set) var gradFn: Node?

    /// Wraps existing storage (shared, not copied).
    public init(shape: [Int], storage: TensorStorage, requiresGrad: Bool = false) {
        let n = shape.reduce(1, *)
        checkInvariant(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shape)")
        checkInvariant(storage.count >= n, "Tensor: storage of \(storage.count) < \(n) elements")
        self.shape = shape
        self.count = n
        self.storage = storage
        self.requiresGrad = requiresGrad
    }

    /// A new tensor with uninitialised contents (internal: ops fill every element).
    convenience init(uninitialized shape: [Int]) {
        self.init(shape: shape, storage: TensorStorage(uninitializedCount: shape.reduce(1, *)))
    }

    /// A tensor holding `data` (row-major), which must have `shape.product` elements.
    public convenience init(shape: [Int], _ data: [Float], requiresGrad: Bool = false) {
        let n = shape.reduce(1, *)
        checkInvariant(
            data.count == n, "Tensor(shape:data:): shape \(shape) needs \(n) values, got \(data.count)")
        self.init(uninitialized: shape)
        data.withUnsafeBufferPointer { self.ptr.update(from: $0.baseAddress!, count: n) }
        self.requiresGrad = requiresGrad
    }

    /// A 0-dimensional tensor.
    public convenience init(_ value: Float, requiresGrad: Bool = false) {
        self.init(shape: [], [value], requiresGrad: requiresGrad)
    }

    // MARK: Creation

    public static func full(_ shape: [Int], _ value: Float, requiresGrad: Bool = false) -> Tensor {
        let t = Tensor(shape: shape, storage: TensorStorage(count: shape.reduce(1, *), repeating: value))
        t.requiresGrad = requiresGrad
        return t
    }
    public static func zeros(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        full(shape, 0, requiresGrad: requiresGrad)
    }
    public static func ones(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        full(shape, 1, requiresGrad: requiresGrad)
    }
    /// [start, start+step, ...) below `end`, as torch.arange.
    public static func arange(_ start: Float = 0, _ end: Float, step: Float = 1) -> Tensor {
        checkInvariant(step != 0, "arange: step must be non-zero")
        let n = Swift.max(0, Int(((end - start) / step).rounded(.up)))
        return Tensor(shape: [n], (0..<n).map { start + Float($0) * step })
    }
    /// Normal(mean, std) samples from an explicitly passed generator.
    public static func normal(
        _ shape: [Int], mean: Float = 0, std: Float = 1, using rng: inout SeededGenerator,
        requiresGrad: Bool = false
    ) -> Tensor {
        let t = Tensor(uninitialized: shape)
        for i in 0..<t.count { t.ptr[i] = mean + std * rng.nextNormal() }
        t.requiresGrad = requiresGrad
        return t
    }
    /// Uniform[low, high) samples from an explicitly passed generator.
    public static func uniform(
        _ shape: [Int], low: Float = 0, high: Float = 1, using rng: inout SeededGenerator,
        requiresGrad: Bool = false
    ) -> Tensor {
        let t = Tensor(uninitialized: shape)
        for i in 0..<t.count { t.ptr[i] = low + (high - low) * rng.nextUniform() }
        t.requiresGrad = requiresGrad
        return t
    }

    // MARK: Access

    public var rank: Int { shape.count }
    /// Element pointer (internal: ops and kernels).
    var ptr: UnsafeMutablePointer<Float> { storage.pointer }
    /// A copy of the elements in row-major order.
    public var scalars: [Float] { Array(UnsafeBufferPointer(start: ptr, count: count)) }
    /// The single element of a one-element tensor.
    public var item: Float {
        checkInvariant(count == 1, "item: tensor of shape \(shape) has \(count) elements, not 1")
        return ptr[0]
    }
    public func dim(_ i: Int) -> Int { shape[i < 0 ? i + shape.count : i] }

    /// Read-only access to the elements.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: ptr, count: count))
    }
    /// In-place update of the elements (parameters, buffers, gradients). Not recorded.
    public func update<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeMutableBufferPointer(start: ptr, count: count))
    }

    /// A view sharing storage, cut from the graph.
    public func detach() -> Tensor { Tensor(shape: shape, storage: storage) }
    /// A deep copy, cut from the graph.
    public func copy() -> Tensor {
        let t = Tensor(uninitialized: shape)
        t.ptr.update(from: ptr, count: count)
        return t
    }
    public var isLeaf: Bool { gradFn == nil }
    public func zeroGrad() { grad = nil }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let head = scalars.prefix(8).map { "\($0)" }.joined(separator: ", ")
        return "Tensor(shape: \(shape), [\(head)\(count > 8 ? ", ..." : "")]"
            + (requiresGrad ? ", requiresGrad" : "") + ")"
    }
}

/// Integer tensor for indices and class targets (gather, index_select, losses).
public struct IndexTensor: Equatable, Sendable {
    public var shape: [Int]
    public var values: [Int]
    public init(shape: [Int], _ values: [Int]) {
        checkInvariant(
            values.count == shape.reduce(1, *),
            "IndexTensor: shape \(shape) needs \(shape.reduce(1, *)) values, got \(values.count)")
        self.shape = shape
        self.values = values
    }
    public init(_ values: [Int]) { self.init(shape: [values.count], values) }
}
