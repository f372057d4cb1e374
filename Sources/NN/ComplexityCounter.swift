import Foundation

/// Counts the floating-point work of a forward pass as mmengine's `get_model_complexity_info`
/// does (fvcore's rules), for `get-flops`: one FLOP is one multiply-add, and only these ops
/// count: convolution (batch x weight elements x output positions; a transposed one over its
/// input positions; bias not counted), linear layers (input elements x outputs), batch norm
/// (2 per element with an affine in eval mode, 1 without; 5 or 4 in training), group norm (5
/// per element with an affine, 4 without) and nearest upsampling (1 per output element).
/// ReLU, pooling, residual adds, RoIAlign and post-processing count nothing, as there.
///
/// Layers report to the counter that is measuring, with themselves as the module; nothing is
/// recorded (one lock-free check per layer call) when no measurement runs.
public final class ComplexityCounter: @unchecked Sendable {
    /// The kinds of work counted (fvcore's op names).
    public enum Op: String, Sendable, CaseIterable {
        case conv, convTranspose = "conv_transpose", linear, batchNorm = "batch_norm", groupNorm = "group_norm",
             upsampleNearest = "upsample_nearest2d"
    }

    private let lock = NSLock()
    private var work: [ObjectIdentifier: [Op: Int]] = [:]

    private init() {}

    nonisolated(unsafe) private static var current: ComplexityCounter?
    private static let measuring = NSLock()

    /// Runs `body` with a fresh counter measuring (one measurement at a time) and returns its
    /// result with the counter.
    public static func measure<T>(_ body: () throws -> T) rethrows -> (T, ComplexityCounter) {
        measuring.lock()
        defer { measuring.unlock() }
        let counter = ComplexityCounter()
        current = counter
        defer { current = nil }
        return (try body(), counter)
    }

    /// Adds `flops` of `op` done by `module`, when a measurement runs.
    @inline(__always)
    public static func record(_ module: AnyObject, _ op: Op, _ flops: Int) {
        guard let counter = current else { return }
        counter.lock.lock()
        counter.work[ObjectIdentifier(module), default: [:]][op, default: 0] += flops
        counter.lock.unlock()
    }

    /// FLOPs `module` itself reported, by op.
    public func ownWork(of module: AnyObject) -> [Op: Int] {
        lock.lock()
        defer { lock.unlock() }
        return work[ObjectIdentifier(module)] ?? [:]
    }

    /// FLOPs of `module` and everything below it, by op.
    public func work(of module: any Module) -> [Op: Int] {
        var total: [Op: Int] = [:]
        for (_, m) in module.namedModules() {
            for (op, n) in ownWork(of: m) { total[op, default: 0] += n }
        }
        return total
    }

    /// Total FLOPs of `module`'s subtree.
    public func flops(of module: any Module) -> Int { work(of: module).values.reduce(0, +) }
}
