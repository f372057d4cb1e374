import Config

/// The runtime sections of a config that mmengine builds from their `type` (hooks, loops,
/// visualizer, log processor) and that SwiftDet's runner implements itself: a type it does not
/// know, or a key that type does not honour, is an error naming the key path, never a section
/// silently ignored. What each accepted type does here is listed once, below; keys accepted but
/// without effect are in `IgnoredKeys`.
enum RuntimeSections {
    /// A type of a section: what SwiftDet does with it and the keys it reads. `keys` maps each
    /// accepted key to the only value SwiftDet supports, or nil where any value works.
    struct Kind {
        let does: String
        var keys: [String: ConfigValue?] = [:]
    }

    /// `default_hooks` entries SwiftDet runs.
    static let hooks: [String: Kind] = [
        "IterTimerHook": Kind(does: "iteration and data times are always measured"),
        "LoggerHook": Kind(does: "logs every `interval` iterations", keys: ["interval": nil]),
        "ParamSchedulerHook": Kind(does: "the schedulers always step"),
        // Its keys are read by CheckpointManager when training starts.
        "CheckpointHook": Kind(does: "interval, max_keep_ckpts, save_best, rule, save_last and save_format are honoured"),
        "DistSamplerSeedHook": Kind(does: "single process: the sampler is seeded per epoch anyway"),
        // interval, score_thr and wait_time only matter when drawing, as in mmdetection.
        "DetVisualizationHook": Kind(does: "validation drawings are not made (test --show-dir draws)",
                                     keys: ["draw": .bool(false), "show": .bool(false), "test_out_dir": ConfigValue.none,
                                            "backend_args": ConfigValue.none, "interval": nil, "score_thr": nil, "wait_time": nil]),
    ]
    static let visualizers = [
        "DetLocalVisualizer": Kind(does: "test --show-dir and browse-dataset draw as it does",
                                   keys: ["name": nil, "vis_backends": nil, "save_dir": nil]),
    ]
    /// Only local files: TensorBoard and W&B backends are not available.
    static let visBackends = ["LocalVisBackend": Kind(does: "scalars.json and the log in the work dir", keys: ["save_dir": nil])]
    static let logProcessors = [
        "LogProcessor": Kind(does: "losses averaged over `window_size` iterations, epoch-based log lines",
                             keys: ["window_size": nil, "by_epoch": .bool(true), "custom_cfg": ConfigValue.none,
                                    "log_with_hierarchy": .bool(false)]),
    ]
    static let valLoops = ["ValLoop": Kind(does: "validation in float32", keys: ["fp16": .bool(false)])]
    static let testLoops = ["TestLoop": Kind(does: "testing in float32", keys: ["fp16": .bool(false)])]

    /// Checks the sections the runner reads when it is built (mmengine builds hooks,
    /// visualizer and log processor in Runner.__init__).
    static func check(_ config: ConfigView) throws {
        if let hooks = try config.optionalView("default_hooks") {
            for key in hooks.dict.keys {
                guard let hook = try hooks.optionalView(key) else { continue }
                try expect(hook, among: Self.hooks, what: "hook")
            }
        }
        if let visualizer = try config.optionalView("visualizer") {
            try expect(visualizer, among: visualizers, what: "visualizer")
            try expectBackends(visualizer, "vis_backends")
        }
        try expectBackends(config, "vis_backends")
        if let processor = try config.optionalView("log_processor") {
            try expect(processor, among: logProcessors, what: "log processor")
        }
        try ConfigFile.checkCustomImports(config)
        try config.optionalView("env_cfg")?.accept([], ignoring: "env_cfg")
        try config.optionalView("randomness")?.accept(["seed"], ignoring: "randomness")
    }

    /// `val_cfg` (built when training starts) or `test_cfg` (built by test).
    static func checkLoop(_ config: ConfigView, _ key: String) throws {
        guard let loop = try config.optionalView(key) else { return }
        try expect(loop, among: key == "val_cfg" ? valLoops : testLoops, what: "loop")
    }

    private static func expectBackends(_ parent: ConfigView, _ key: String) throws {
        guard let value = parent.value(key), !value.isNone else { return }
        for backend in try parent.views(key) {
            try expect(backend, among: visBackends, what: "visualization backend")
        }
    }

    /// A known type, only the keys it reads, and the supported value where only one is.
    private static func expect(_ c: ConfigView, among known: [String: Kind], what: String) throws {
        let written = try c.string("type")
        let type = written.split(separator: ".").last.map(String.init) ?? written
        guard let kind = known[type] else {
            let names = known.keys.sorted()
            var message = "unknown \(what) type '\(written)' (SwiftDet has \(names.joined(separator: ", ")))"
            if let guess = Suggestions.closest(to: type, among: names) { message += "; did you mean \(guess)?" }
            throw c.error("type", message)
        }
        if type == "CheckpointHook" { return }
        try c.building(type).accept(["type"] + kind.keys.keys.sorted())
        for (key, only) in kind.keys {
            guard let only, let value = c.value(key), value != only else { continue }
            throw c.error(key, "only \(key)=\(only) is supported by SwiftDet's \(type) (\(kind.does))")
        }
    }
}
