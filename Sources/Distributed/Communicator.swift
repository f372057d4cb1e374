import Foundation

/// The collective operations data-parallel training needs, as mmengine's `dist` module offers
/// them over torch.distributed: every process (rank) of a job calls the same operations in the
/// same order. `SingleProcess` is the job of one; `MPICommunicator` runs over Open MPI.
public protocol Communicator: AnyObject {
    /// This process's index, 0..<size; rank 0 writes files and logs.
    var rank: Int { get }
    /// The number of processes in the job.
    var size: Int { get }
    /// Returns when every process has called it.
    func barrier() throws
    /// Replaces `values` on every rank with the element-wise sum over the ranks.
    func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>) throws
    func allReduceSum(_ values: UnsafeMutableBufferPointer<Double>) throws
    /// Replaces `values` on every rank with the element-wise maximum over the ranks.
    func allReduceMax(_ values: UnsafeMutableBufferPointer<Double>) throws
    /// Rank `root`'s values on every rank, in place (the same count on every rank).
    func broadcast(_ values: UnsafeMutableBufferPointer<Float>, root: Int) throws
    /// Rank `root`'s bytes on every rank (`bytes` is read on the root only; any length).
    func broadcast(_ bytes: [UInt8], root: Int) throws -> [UInt8]
    /// Every rank's bytes, in rank order, on `root` (nil on the other ranks).
    func gather(_ bytes: [UInt8], root: Int) throws -> [[UInt8]]?
    /// Ends the whole job at once with `code` (a rank that cannot go on must not leave the
    /// others waiting in a collective).
    func abort(code: Int32) -> Never
}

extension Communicator {
    public var isMain: Bool { rank == 0 }

    /// `allReduceSum` on an array.
    public func allReduceSum(_ values: inout [Double]) throws {
        try values.withUnsafeMutableBufferPointer { try allReduceSum($0) }
    }

    public func allReduceSum(_ values: inout [Float]) throws {
        try values.withUnsafeMutableBufferPointer { try allReduceSum($0) }
    }

    public func allReduceMax(_ values: inout [Double]) throws {
        try values.withUnsafeMutableBufferPointer { try allReduceMax($0) }
    }
}

/// A failed collective: which operation, and MPI's message.
public struct DistributedError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The job of one process: every collective is the identity.
public final class SingleProcess: Communicator {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public func barrier() throws {}
    public func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>) throws {}
    public func allReduceSum(_ values: UnsafeMutableBufferPointer<Double>) throws {}
    public func allReduceMax(_ values: UnsafeMutableBufferPointer<Double>) throws {}
    public func broadcast(_ values: UnsafeMutableBufferPointer<Float>, root: Int) throws {}
    public func broadcast(_ bytes: [UInt8], root: Int) throws -> [UInt8] { bytes }
    public func gather(_ bytes: [UInt8], root: Int) throws -> [[UInt8]]? { [bytes] }
    public func abort(code: Int32) -> Never { exit(code) }
}
