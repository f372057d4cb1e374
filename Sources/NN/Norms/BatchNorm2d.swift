import Autograd
import Config

/// Batch normalisation (torch.nn.BatchNorm2d; Ioffe & Szegedy). Training mode normalises
/// with batch statistics and updates the running ones; eval mode uses the running ones
/// (mmdetection's `norm_eval` and frozen BN). `SyncBN` (torch's SyncBatchNorm) is the same
/// layer with `synchronized` set: in a job of several processes its training statistics are
/// those of every process's batch (the Engine gives it a `reducer`); alone it is plain BN, as
/// mmengine reverts SyncBN outside distributed runs.
public final class BatchNorm2d: NormLayer, SynchronizableNorm {
    public var training = true
    public let weight, bias: Tensor
    public let runningMean, runningVar, numBatchesTracked: Tensor
    public let eps, momentum: Float
    public let synchronized: Bool
    public var reducer: (any StatReducer)?

    public init(_ channels: Int, eps: Float = 1e-5, momentum: Float = 0.1, synchronized: Bool = false) {
        weight = Tensor.ones([channels], requiresGrad: true)
        bias = Tensor.zeros([channels], requiresGrad: true)
        runningMean = Tensor.zeros([channels])
        runningVar = Tensor.ones([channels])
        numBatchesTracked = Tensor.zeros([])
        self.eps = eps
        self.momentum = momentum
        self.synchronized = synchronized
    }

    public var parameters: [(String, Tensor)] { [("weight", weight), ("bias", bias)] }
    public var buffers: [NamedBuffer] {
        [NamedBuffer("running_mean", runningMean), NamedBuffer("running_var", runningVar),
         NamedBuffer("num_batches_tracked", numBatchesTracked, isInteger: true)]
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { apply(x, relu: false) }

    public func normReLU(_ x: Tensor) -> Tensor { apply(x, relu: true) }

    private func apply(_ x: Tensor, relu: Bool) -> Tensor {
        if training { numBatchesTracked.update { $0[0] += 1 } }
        ComplexityCounter.record(self, .batchNorm, x.count * (training ? 5 : 2))
        return x.batchNorm(weight: weight, bias: bias, runningMean: runningMean, runningVar: runningVar,
                           training: training, momentum: momentum, eps: eps, reducer: reducer, relu: relu)
    }

    public func resetAffine(gamma: Float) {
        Init.fill(weight, gamma)
        Init.fill(bias, 0)
    }
}

extension BatchNorm2d {
    /// `norm_cfg=dict(type='BN', momentum=0.1)` (also BN2d, BatchNorm, BatchNorm2d), and
    /// `type='SyncBN'` (also MMSyncBN, mmcv's), synchronized across the processes of a job.
    public struct Options: NormOptions, Equatable {
        public var momentum: Float
        public var synchronized: Bool
        public init(momentum: Float = 0.1, synchronized: Bool = false) {
            self.momentum = momentum
            self.synchronized = synchronized
        }
        /// `defaultStatsMode`: mmcv's MMSyncBN defaults to 'default' (every process weighted
        /// equally), torch's SyncBatchNorm weighs by count ('N').
        public init(config c: ConfigView, synchronized: Bool = false, defaultStatsMode: String = "N") throws {
            try c.accept(NormRegistry.commonKeys + ["momentum"] + (synchronized ? ["group", "stats_mode"] : []))
            if synchronized {
                if let g = c.value("group"), !g.isNone { throw c.error("group", "process groups are not supported: SyncBN spans every process of the job") }
                let mode = try c.string("stats_mode", default: defaultStatsMode)
                guard mode == "N" else {
                    throw c.error("stats_mode", "only 'N' is supported: SwiftDet's synchronized BN weights each process by its value "
                                  + "count ('\(mode)' weights every process equally, which differs when processes pad to different sizes)")
                }
            }
            self.init(momentum: Float(try c.double("momentum", default: 0.1, in: 0...1)), synchronized: synchronized)
        }
        public var abbreviation: String { "bn" }
        public func make(channels: Int, eps: Float) -> any NormLayer {
            BatchNorm2d(channels, eps: eps, momentum: momentum, synchronized: synchronized)
        }
    }
}
