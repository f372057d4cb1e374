import Config

extension DataLoader {
    /// Builds a `train_dataloader` / `val_dataloader` dict as mmengine's Runner does: the
    /// dataset, the sampler and the optional batch sampler through the registries. `seed` is
    /// the run's seed (samplers without their own use it); `shard` this process's share.
    public convenience init(config c: ConfigView, seed: UInt64, shard: Shard = .whole,
                            warn: @escaping @Sendable (String) -> Void = DataLoader.standardError) throws {
        try c.accept(["batch_size", "num_workers", "prefetch_factor", "drop_last", "sampler", "batch_sampler", "dataset",
                      "collate_fn", "worker_init_fn"], ignoring: "DataLoader")
        let batchSize = try c.int("batch_size", default: 1), workers = try c.int("num_workers", default: 0)
        guard batchSize >= 1 else { throw c.error("batch_size", "must be >= 1") }
        guard workers >= 0 else { throw c.error("num_workers", "must be >= 0") }
        if let collate = try c.optionalView("collate_fn") {
            let type = try collate.string("type")
            guard type == "pseudo_collate" || type == "default_collate" else {
                throw collate.error("type", "only pseudo_collate/default_collate are supported")
            }
        }
        if let f = c.value("worker_init_fn"), !f.isNone {
            throw c.error("worker_init_fn", "a custom worker_init_fn is not supported (workers are seeded from the run's seed)")
        }
        let dataset = try Registries.datasets.build(try c.view("dataset"))
        // mmdetection's models take packed inputs: a pipeline that does not end by packing
        // fails at the first batch, so it is refused here, where the key path is known
        // (after the dataset's build, which names a misspelt type first).
        if let steps = try c.view("dataset").value("pipeline")?.elements {
            let last = steps.last.flatMap { step -> String? in if case .dict(let d) = step { d["type"]?.stringValue } else { nil } }
            guard last == "PackDetInputs" || last == "mmdet.PackDetInputs" else {
                throw try c.view("dataset").error("pipeline", "ends with \(last.map { "'\($0)'" } ?? "nothing"): a pipeline must end with PackDetInputs")
            }
        }
        let sampler = try Registries.samplers.build(try c.view("sampler"))
        let dropLast = try c.bool("drop_last", default: false)
        var batching = BatchSamplerKind.plain(dropLast: dropLast)
        if let b = try c.optionalView("batch_sampler") { batching = try Registries.batchSamplers.build(b) }
        let prefetch = try c.int("prefetch_factor", default: 2)
        guard prefetch >= 1 else { throw c.error("prefetch_factor", "must be >= 1") }
        self.init(dataset: dataset, batchSize: batchSize, numWorkers: workers, sampler: sampler, batchSampler: batching,
                  seed: seed, prefetch: prefetch * max(workers, 1), shard: shard, warn: warn)
    }
}
