import Config

/// The runtime sections of a config that mmengine builds from their `type` (hooks, loops,
/// visualizer, log processor) and that SwiftDet's runner implements itself: a type it does not
/// know is an error naming the key path, never a section silently ignored. What each accepted
/// type does here, and what is accepted but has no effect (with the reason), is listed once.
enum RuntimeSections {
    /// `default_hooks` entries SwiftDet runs, and why the inert ones are accepted.
    static let hooks: [String: String] = [
        "IterTimerHook": "iteration times are always measured",
        "LoggerHook": "interval is honoured",
        "ParamSchedulerHook": "the schedulers always step",
        "CheckpointHook": "interval, max_keep_ckpts, save_best are honoured",
        "DistSamplerSeedHook": "single process: the sampler seed is set per epoch anyway",
        "DetVisualizationHook": "validation drawings are not made; test --show-dir draws",
    ]
    static let visualizers = ["DetLocalVisualizer"]
    /// Only local files: TensorBoard and W&B backends are not available.
    static let visBackends = ["LocalVisBackend"]
    static let logProcessors = ["LogProcessor"]
    static let valLoops = ["ValLoop"]
    static let testLoops = ["TestLoop"]

    /// Checks the sections the runner reads when it is built (mmengine builds hooks,
    /// visualizer and log processor in Runner.__init__).
    static func check(_ config: ConfigView) throws {
        if let hooks = try config.optionalView("default_hooks") {
            for key in hooks.dict.keys {
                guard let hook = try hooks.optionalView(key) else { continue }
                try expectType(hook, among: Array(Self.hooks.keys).sorted(), what: "hook")
            }
        }
        if let visualizer = try config.optionalView("visualizer") {
            try expectType(visualizer, among: visualizers, what: "visualizer")
            try expectBackends(visualizer, "vis_backends")
        }
        try expectBackends(config, "vis_backends")
        if let processor = try config.optionalView("log_processor") {
            try expectType(processor, among: logProcessors, what: "log processor")
        }
    }

    /// `val_cfg` (built when training starts) or `test_cfg` (built by test).
    static func checkLoop(_ config: ConfigView, _ key: String) throws {
        guard let loop = try config.optionalView(key) else { return }
        try expectType(loop, among: key == "val_cfg" ? valLoops : testLoops, what: "loop")
    }

    private static func expectBackends(_ parent: ConfigView, _ key: String) throws {
        guard let value = parent.value(key), !value.isNone else { return }
        for backend in try parent.views(key) {
            try expectType(backend, among: visBackends, what: "visualization backend")
        }
    }

    private static func expectType(_ c: ConfigView, among known: [String], what: String) throws {
        let written = try c.string("type")
        let type = written.split(separator: ".").last.map(String.init) ?? written
        guard known.contains(type) else {
            var message = "unknown \(what) type '\(written)' (SwiftDet has \(known.joined(separator: ", ")))"
            if let guess = Suggestions.closest(to: type, among: known) { message += "; did you mean \(guess)?" }
            throw c.error("type", message)
        }
    }
}
