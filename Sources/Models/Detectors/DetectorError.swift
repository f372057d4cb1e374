import Autograd

/// A detector call that cannot run on its input or settings (a missing train_cfg, a sample
/// without the meta information the step needs, masks that cannot be rasterized).
public struct DetectorError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Non-finite values (NaN or inf) where the detector computes indices from them (RPN outputs
/// before decoding proposals, box head outputs): training has diverged. Thrown instead of
/// going on to positions and argmaxes that would be meaningless.
public struct NonFiniteError: Error, CustomStringConvertible {
    public let stage: String
    public var description: String { "non-finite values (NaN or inf) in \(stage): training has diverged" }

    /// Throws when any element of `tensors` is NaN or infinite.
    static func check(_ tensors: [Tensor], _ stage: String) throws {
        for t in tensors {
            let finite = t.withUnsafeBufferPointer { b in
                var ok = true
                for v in b where !v.isFinite { ok = false; break }
                return ok
            }
            if !finite { throw NonFiniteError(stage: stage) }
        }
    }
}
