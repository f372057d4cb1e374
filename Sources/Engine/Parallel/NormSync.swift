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
/// `sync_bn='torch'` (or 'mmcv') every BN of the backbone and the neck, as mmengine's
/// `convert_sync_batchnorm` turns them. Only the backbone and the neck run in full on every
/// process at every step: a head may skip its layers on one process (the mask head without
/// positive RoIs), which would leave the others waiting in a synchronized norm. A synchronized
/// norm in a head is therefore an error in a run of several processes.
enum NormSync {
    /// The components that run in full on every process at every step.
    static let alwaysRun = ["backbone", "neck"]

    /// `sync_bn`: nil/None, 'torch' or 'mmcv'.
    static func convertsEveryBN(_ config: ConfigView) throws -> Bool {
        guard let v = config.value("sync_bn"), !v.isNone else { return false }
        let kind = try config.string("sync_bn")
        guard kind == "torch" || kind == "mmcv" else { throw config.error("sync_bn", "expected 'torch', 'mmcv' or None") }
        return true
    }

    /// Gives every synchronized norm of `model` a reducer over `communicator`; the count.
    @discardableResult
    static func attach(to model: any Module, communicator: any Communicator, everyBN: Bool) throws -> Int {
        let reducer = CommunicatorReducer(communicator)
        var count = 0
        for (name, module) in model.namedModules() {
            guard let norm = module as? SynchronizableNorm else { continue }
            let always = alwaysRun.contains { name == $0 || name.hasPrefix($0 + ".") }
            if norm.synchronized && !always {
                throw RunnerError("model.\(name): synchronized norms (SyncBN, MMSyncBN, SyncSN) are supported in the backbone and the "
                                  + "neck, which run in full on every process at every step; a head can skip its layers on one process "
                                  + "(no positive RoI) and leave the others waiting. Use GN or BN in the heads")
            }
            guard norm.synchronized || (everyBN && always && module is BatchNorm2d) else { continue }
            norm.reducer = reducer
            count += 1
        }
        return count
    }
}
