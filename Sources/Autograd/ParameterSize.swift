import Foundation

/// A parameter shape that cannot exist on this machine (a side below 0, more elements than an
/// Int holds, or more bytes than `Tensor.parameterByteLimit`): thrown when a layer is built, so
/// that an impossible size in a config is an error, never a failed allocation.
public struct ParameterSizeError: Error, CustomStringConvertible {
    public let description: String
    public init(description: String) { self.description = description }
}

extension Tensor {
    /// The largest parameter tensor a layer may allocate: a quarter of the physical memory
    /// (training holds the weight, its gradient, the optimizer's momentum and a copy).
    public static let parameterByteLimit = Int(ProcessInfo.processInfo.physicalMemory / 4)

    /// The number of elements of `shape`, or nil when a side is negative or the product
    /// overflows.
    public static func elementCount(_ shape: [Int]) -> Int? {
        var n = 1
        for side in shape {
            guard side >= 0 else { return nil }
            let (p, overflow) = n.multipliedReportingOverflow(by: side)
            if overflow { return nil }
            n = p
        }
        return n
    }

    /// A zero-filled trainable parameter of `shape`; `what` names it for the error
    /// ("Conv2d weight").
    public static func parameter(_ shape: [Int], _ what: @autoclosure () -> String) throws -> Tensor {
        guard let n = elementCount(shape), n <= parameterByteLimit / MemoryLayout<Float>.stride else {
            let bytes = shape.allSatisfy { $0 >= 0 } ? shape.reduce(Double(MemoryLayout<Float>.stride)) { $0 * Double($1) } : -1
            let size = bytes < 0 ? "a negative side" : ByteCount.text(bytes)
            throw ParameterSizeError(description: "\(what()) of shape \(shape) would need \(size); at most "
                + "\(ByteCount.text(Double(parameterByteLimit))) per parameter on this machine (a quarter of its "
                + "\(ByteCount.text(Double(ProcessInfo.processInfo.physicalMemory))) of memory)")
        }
        return zeros(shape, requiresGrad: true)
    }
}

/// Byte counts for messages: "4.1 GB", "24.0 GB", "3.5e+13 GB" beyond petabytes.
enum ByteCount {
    static func text(_ bytes: Double) -> String {
        let units = ["bytes", "KB", "MB", "GB", "TB", "PB"]
        var v = bytes
        var u = 0
        while v >= 1000, u < units.count - 1 {
            v /= 1000
            u += 1
        }
        return u == 0 ? "\(Int(v)) bytes" : String(format: v < 1e6 ? "%.1f" : "%.2g", v) + " " + units[u]
    }
}
