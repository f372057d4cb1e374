import Config

/// mmengine's `model_wrapper_cfg` (and the top-level `find_unused_parameters`) as SwiftDet
/// reads them for a data-parallel run.
public struct ModelWrapperSettings: Equatable {
    /// `bucket_cap_mb`: the size of one gradient all-reduce (PyTorch's default 25).
    public var bucketCapMB: Double = 25

    public init() {}

    /// `type` must be MMDistributedDataParallel; `find_unused_parameters` is accepted with any
    /// value (gradients are averaged after backward, a parameter without one counts as zeros);
    /// `broadcast_buffers` only as False, mmengine's own setting (buffers are not re-sent
    /// before each forward).
    public init(config: ConfigView) throws {
        if let unused = config.value("find_unused_parameters"), !unused.isNone { _ = try config.bool("find_unused_parameters") }
        guard let c = try config.optionalView("model_wrapper_cfg") else { return }
        try c.accept(["type", "bucket_cap_mb", "broadcast_buffers", "find_unused_parameters", "detect_anomalous_params"])
        let type = try c.string("type", default: "MMDistributedDataParallel")
        guard type == "MMDistributedDataParallel" else {
            throw c.error("type", "unsupported model wrapper '\(type)' (SwiftDet has MMDistributedDataParallel)")
        }
        bucketCapMB = try c.double("bucket_cap_mb", default: 25, above: 0)
        if try c.bool("broadcast_buffers", default: false) {
            throw c.error("broadcast_buffers", "only False is supported (mmengine's setting): each process keeps its own buffers")
        }
        _ = try c.bool("find_unused_parameters", default: false)
        _ = try c.bool("detect_anomalous_params", default: false)
    }
}
