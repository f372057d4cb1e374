import Config

extension CocoDataset {
    /// The config keys of mmdetection's `CocoDataset` (mmengine `BaseDataset`) and SwiftDet's
    /// `on_bad_sample`.
    public static let configKeys = [
        "ann_file", "data_root", "data_prefix", "metainfo", "filter_cfg", "test_mode", "pipeline", "indices",
        "backend_args", "lazy_init", "on_bad_sample",
    ]

    /// Builds from a `dataset=dict(type='CocoDataset', ...)` config: `ann_file` and
    /// `data_prefix.img` are joined to `data_root` unless absolute, as mmengine does.
    public convenience init(config c: ConfigView, warn: @escaping @Sendable (String) -> Void = DataLoader.standardError) throws {
        try c.accept(Self.configKeys, ignoring: "CocoDataset")
        let root = try c.optionalString("data_root") ?? ""
        let annFile = PathJoin.join(root, try c.string("ann_file"))
        var imgPrefix = root
        if let prefix = try c.optionalView("data_prefix") {
            try prefix.accept(["img", "img_path", "seg"])
            if prefix.contains("seg") { throw prefix.error("seg", "semantic segmentation maps are not supported") }
            imgPrefix = PathJoin.join(root, try prefix.optionalString("img") ?? prefix.optionalString("img_path") ?? "")
        }
        var classes: [String]?
        var palette: [[UInt8]]?
        if let meta = try c.optionalView("metainfo") {
            try meta.accept(["classes", "palette"])
            if let v = meta.value("classes"), !v.isNone {
                classes = try v.stringValue.map { [$0] } ?? meta.strings("classes")
            }
            palette = try Self.palette(meta)
        }
        var filter: Filter?
        if let f = try c.optionalView("filter_cfg") {
            try f.accept(["filter_empty_gt", "min_size"])
            filter = Filter(filterEmptyGT: try f.bool("filter_empty_gt", default: false), minSize: try f.int("min_size", default: 0, atLeast: 0))
        }
        if let b = c.value("backend_args"), !b.isNone { throw c.error("backend_args", "only None (local files) is supported") }
        if try c.bool("lazy_init", default: false) { throw c.error("lazy_init", "only False is supported") }
        let policyName = try c.string("on_bad_sample", default: "error")
        guard let policy = BadSamplePolicy(rawValue: policyName) else {
            throw c.error("on_bad_sample", "expected 'error' or 'skip', got '\(policyName)'")
        }
        let pipeline = c.contains("pipeline") ? try Pipeline(config: try c.views("pipeline")) : Pipeline([])
        try self.init(annotationFile: annFile, imagePrefix: imgPrefix, classes: classes, filter: filter,
                      testMode: try c.bool("test_mode", default: false), indices: try Self.indices(c),
                      pipeline: pipeline, onBadSample: policy, palette: palette, warn: warn)
        if let palette, palette.count < self.classes.count {
            throw c.error("metainfo.palette", "\(palette.count) colours for \(self.classes.count) classes: give one (R, G, B) per class")
        }
    }

    /// `metainfo.palette`: one (R, G, B) of integers 0...255 per class, as mmdetection's
    /// datasets give it (nil when absent or None).
    public static func palette(_ meta: ConfigView) throws -> [[UInt8]]? {
        guard let v = meta.value("palette"), !v.isNone else { return nil }
        guard let items = v.elements else {
            throw meta.error("palette", "expected a list of (R, G, B) colours, one per class")
        }
        return try items.enumerated().map { i, item in
            let rgb = item.elements?.compactMap(\.intValue) ?? []
            guard item.elements?.count == 3, rgb.count == 3, rgb.allSatisfy({ (0...255).contains($0) }) else {
                throw meta.error("palette", "colour \(i) is not three integers 0...255 (R, G, B)")
            }
            return rgb.map { UInt8($0) }
        }
    }

    /// mmengine's `indices`: an int keeps the first n items, a list those items.
    private static func indices(_ c: ConfigView) throws -> Subset? {
        guard let v = c.value("indices"), !v.isNone else { return nil }
        if let n = v.intValue {
            guard n >= 0 else { throw c.error("indices", "must be >= 0") }
            return .first(n)
        }
        return .items(try c.ints("indices"))
    }
}
