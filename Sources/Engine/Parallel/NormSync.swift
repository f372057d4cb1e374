import Autograd
import Config
import Distributed
import Foundation
import NN

/// The synchronized norms' statistics over a `Communicator` (NN and Autograd know no MPI).
/// A collective that fails ends the job: a norm cannot go on with its own batch alone while
/// the other processes wait.
public final class CommunicatorReducer: StatReducer {
    let communicator: any Communicator

    public init(_ communicator: any Communicator) { self.communicator = communicator }

    /// Exact: each process's values are summed with zeros from every other process.
    public func allGather(_ values: [Double]) -> [Double] {
        var sizes = [Double](repeating: 0, count: communicator.size)
        sizes[communicator.rank] = Double(values.count)
        allReduceSum(&sizes)
        let offset = Int(sizes[..<communicator.rank].reduce(0, +))
        var all = [Double](repeating: 0, count: Int(sizes.reduce(0, +)))
        all.replaceSubrange(offset..<(offset + values.count), with: values)
        allReduceSum(&all)
        return all
    }

    public func allReduceSum(_ values: inout [Double]) {
        do { try communicator.allReduceSum(&values) } catch {
            FileHandle.standardError.write(Data("swiftdet: synchronized norm statistics: \(error)\n".utf8))
            communicator.abort(code: 1)
        }
    }
}

/// Which norms synchronize their statistics in a run of several processes: those whose
/// `norm_cfg` type asks for it (SyncBN, MMSyncBN, SyncSN), and with the config's top-level
/// `sync_bn='torch'` (or 'mmcv') every BN as mmengine's `convert_sync_batchnorm` turns them.
enum NormSync {
    /// `sync_bn`: nil/None, 'torch' or 'mmcv'.
    static func convertsEveryBN(_ config: ConfigView) throws -> Bool {
        guard let v = config.value("sync_bn"), !v.isNone else { return false }
        let kind = try config.string("sync_bn")
        guard kind == "torch" || kind == "mmcv" else { throw config.error("sync_bn", "expected 'torch', 'mmcv' or None") }
        return true
    }

    /// Gives every synchronized norm of `model` a reducer over `communicator`; the count.
    @discardableResult
    static func attach(to model: any Module, communicator: any Communicator, everyBN: Bool) -> Int {
        let reducer = CommunicatorReducer(communicator)
        var count = 0
        for (_, module) in model.namedModules() {
            guard let norm = module as? SynchronizableNorm, norm.synchronized || (everyBN && module is BatchNorm2d) else { continue }
            norm.reducer = reducer
            count += 1
        }
        return count
    }
}
