/// The keys SwiftDet accepts where mmdetection's configs write them and then ignores, on
/// purpose: each concerns only GPU memory, CUDA, worker processes or distributed launch, or has
/// no effect with what SwiftDet implements, never the numbers a run produces. This is the one
/// list: a builder that accepts such a key does so through `ConfigView.accept(_:ignoring:)`
/// with its owner's name. Every other key is either honoured or an error that says it is not
/// supported.
public enum IgnoredKeys {
    public struct Entry: Sendable {
        /// The registered type or config section the key belongs to.
        public let owner: String
        public let key: String
        public let reason: String
    }

    public static let entries: [Entry] = [
        Entry(owner: "ResNet", key: "with_cp",
              reason: "activation checkpointing trades compute for GPU memory; SwiftDet keeps the activations, the numbers are the same"),
        Entry(owner: "DataLoader", key: "pin_memory", reason: "page-locked host memory only speeds up copies to a GPU"),
        Entry(owner: "DataLoader", key: "persistent_workers",
              reason: "SwiftDet's loader workers are threads that live as long as the run anyway"),
        Entry(owner: "CocoDataset", key: "serialize_data",
              reason: "mmengine pickles the annotation list to share it with worker processes; SwiftDet's worker threads share one copy"),
        Entry(owner: "CocoDataset", key: "max_refetch",
              reason: "only used when a transform drops a sample, and none of SwiftDet's transforms does"),
        Entry(owner: "env_cfg", key: "cudnn_benchmark", reason: "cuDNN autotuning (GPU only)"),
        Entry(owner: "env_cfg", key: "mp_cfg",
              reason: "start method and OpenCV/OpenMP threads of worker processes; SwiftDet's workers are threads and BLAS uses every core"),
        Entry(owner: "env_cfg", key: "dist_cfg", reason: "the torch.distributed backend (NCCL, Gloo) and its timeout; SwiftDet's processes talk over MPI (--launcher mpi)"),
        Entry(owner: "randomness", key: "deterministic",
              reason: "cuDNN determinism (GPU only); SwiftDet's CPU kernels give the same numbers for the same seed"),
        Entry(owner: "randomness", key: "diff_rank_seed", reason: "a per-process seed offset for distributed runs; SwiftDet seeds each sample's draws by its position in the epoch, the same on any number of processes"),
    ]

    /// The ignored keys of `owner`.
    public static func keys(of owner: String) -> [String] {
        entries.filter { $0.owner == owner }.map(\.key)
    }
}

extension ConfigView {
    /// Refuses keys outside `accepted` and the keys `IgnoredKeys` lists for `owner`.
    public func accept(_ accepted: [String], ignoring owner: String) throws {
        try accept(accepted + IgnoredKeys.keys(of: owner))
    }
}
