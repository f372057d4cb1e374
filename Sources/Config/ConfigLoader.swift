import Foundation

/// Loads a config file the way mmengine's `Config.fromfile` does (reference §1.1): text
/// substitutions, then the `_base_` files (recursively, relative to the declaring file, no key
/// defined by two bases, no cycles), then the file itself run on top of the merged bases
/// (Python) or read (YAML, JSON), placeholders resolved, `__names` and `_deprecation_` dropped,
/// and the result merged onto the bases.
public struct ConfigLoader: Sendable {
    /// Environment for `{{$NAME:default}}` (the process environment unless given).
    public var environment: [String: String]
    /// Nesting limit for brackets, values and expressions (CPython's parser allows 200).
    public var maxDepth = 200
    /// Longest chain of `_base_` files.
    public var maxBaseChain = 64

    /// Where `pkg::path` bases are read from: `mmdet` is SwiftDet's own `configs/` tree, which
    /// mirrors mmdetection's layout (found by `PackageConfigs.locate`).
    public var packageRoots: [String: String]

    public static let extensions = [".py", ".json", ".yaml", ".yml"]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
        self.packageRoots = PackageConfigs.locate(environment: environment).map { ["mmdet": $0] } ?? [:]
    }

    /// Loads and merges the config at `path`.
    public func load(file path: String) throws -> ConfigView {
        let dict = try LargeStack.run {
            try loadFile(display: path, absolute: PathUtil.absolute(path), text: nil, chain: [], referrer: nil, budget: PyBudget()).dict
        }
        return ConfigView(dict: dict, path: [], source: path)
    }

    /// Loads `text` as if it were the content of the file at `path` (its bases are read from
    /// disk relative to `path`).
    /// Loads a config file and applies `--cfg-options` overrides in order (mmdetection's tools'
    /// first step: `Config.fromfile` then `merge_from_dict`). Every tool loads its config here.
    public func load(file path: String, options: [String]) throws -> ConfigView {
        let view = try load(file: path)
        guard !options.isEmpty else { return view }
        return ConfigView(dict: try CfgOptions.apply(options, to: view.dict), source: view.source)
    }

    public func load(text: String, file path: String) throws -> ConfigView {
        let dict = try LargeStack.run {
            try loadFile(display: path, absolute: PathUtil.absolute(path), text: Array(text.utf8), chain: [], referrer: nil, budget: PyBudget()).dict
        }
        return ConfigView(dict: dict, path: [], source: path)
    }

    /// A merged file, and for each top-level key the `_base_` entry it came through.
    struct Loaded {
        var dict: ConfigDict
        var origins: [String: String] = [:]
    }

    /// A `_base_` entry as written, and where (nil offset: YAML/JSON, no position known).
    struct BaseRef {
        let path: String
        let offset: Int?
    }

    /// Who named a base file: the declaring file's text, the path as written and where.
    struct Referrer {
        let source: SourceText
        let written: String
        let offset: Int?

        func location() -> ConfigLocation {
            offset.map { source.location($0) } ?? .file(source.file)
        }
    }

    private enum Format { case python, json, yaml }

    func loadFile(display: String, absolute: String, text: [UInt8]?, chain: [(display: String, absolute: String)], referrer: Referrer?,
                  budget: PyBudget) throws -> Loaded {
        budget.files += 1
        guard budget.files <= PyLimits.maxFiles else {
            throw ConfigError(.limit, "more than \(PyLimits.maxFiles) config files read for one config (a base named many times over?)",
                              at: referrer?.location() ?? .file(display))
        }
        let format = try Self.format(of: display, referrer: referrer)
        let bytes = try text ?? Self.read(display, absolute: absolute, referrer: referrer)
        try Self.checkUTF8(bytes, display)
        var placeholders = PlaceholderTable()
        let substitution = TextSubstitution(absolutePath: absolute, environment: environment, quotePlaceholders: format != .python)
        let source = try substitution.apply(to: bytes, file: display, placeholders: &placeholders)

        var module = PyModule()
        var child = ConfigDict()
        var baseEntries: [BaseRef] = []
        switch format {
        case .python:
            module = try PyParser.parse(source, maxDepth: maxDepth)
            baseEntries = module.bases.map { BaseRef(path: $0.path, offset: $0.offset) }
        case .json, .yaml:
            child = format == .json ? try JSONLoader.load(source, maxDepth: maxDepth) : try YAMLLoader.load(source, maxDepth: maxDepth)
            baseEntries = try Self.dataBases(child.removeValue(forKey: "_base_"), source)
        }

        let me = chain + [(display, absolute)]
        let statement = module.baseOffset.map { source.location($0) } ?? .file(display)
        var bases = try loadBases(baseEntries, source: source, chain: me, statement: statement, budget: budget)

        var nameOffsets: [String: Int] = [:]
        if format == .python {
            var evaluator = PyEvaluator(source: source, maxDepth: maxDepth, base: bases.dict, placeholders: placeholders, budget: budget)
            try evaluator.run(module)
            child = evaluator.names
            bases.dict = evaluator.base
            placeholders = evaluator.placeholders
            nameOffsets = evaluator.nameOffsets
        } else {
            try Self.checkReserved(child, source)
        }
        child.removeValue(forKey: "_deprecation_")
        child = child.filter { key, _ in !key.hasPrefix("__") }
        if !placeholders.entries.isEmpty {
            let rawBase = bases.dict
            child = try placeholders.resolve(.dict(child), base: rawBase, source: source).dictValue!
            bases.dict = try placeholders.resolve(.dict(rawBase), base: rawBase, source: source).dictValue!
            if ValueDepth.of(.dict(child), limit: maxDepth) > maxDepth || ValueDepth.of(.dict(bases.dict), limit: maxDepth) > maxDepth {
                throw ConfigError(.limit, "value nested too deeply (more than \(maxDepth) levels) after placeholders", at: .file(display))
            }
        }
        let merge = ConfigMerge(
            locate: { key in nameOffsets[key].map { source.location($0) } ?? .file(display) },
            baseName: { key in bases.origins[key] })
        var merged = try merge.merge(child, into: bases.dict).filter { key, _ in !key.hasPrefix("__") }
        merged.removeValue(forKey: "_base_")
        var origins = bases.origins
        for key in child.keys { origins[key] = display }
        return Loaded(dict: merged, origins: origins)
    }

    /// Loads every base in order into one dict; a key may come from one base only.
    private func loadBases(
        _ entries: [BaseRef], source: SourceText, chain: [(display: String, absolute: String)], statement: ConfigLocation,
        budget: PyBudget
    ) throws -> Loaded {
        var union = Loaded(dict: ConfigDict())
        guard !entries.isEmpty else { return union }
        guard chain.count < maxBaseChain else {
            throw ConfigError(.base, "more than \(maxBaseChain) levels of _base_ files", at: statement)
        }
        let (declaringDisplay, declaringAbsolute) = chain.last!
        for entry in entries {
            let written = entry.path
            let referrer = Referrer(source: source, written: written, offset: entry.offset)
            var display = PathUtil.normalize(PathUtil.join(PathUtil.dirname(declaringDisplay), written))
            var absolute = PathUtil.normalize(PathUtil.join(PathUtil.dirname(declaringAbsolute), written))
            let package = try PackageConfigs.resolve(written, roots: packageRoots, at: referrer.location())
            if let package {
                display = package.path
                absolute = PathUtil.absolute(package.path)
            }
            if chain.contains(where: { $0.absolute == absolute }) {
                let names = (chain.map(\.display) + [display]).map(PathUtil.basename)
                throw ConfigError(.base, "circular _base_: \(names.joined(separator: " -> "))", at: referrer.location())
            }
            var loaded = try loadFile(display: display, absolute: absolute, text: nil, chain: chain, referrer: referrer, budget: budget)
            if let package { loaded.dict = PackageConfigs.addScope(.dict(loaded.dict), package.scope, hasScope: true).dictValue! }
            for key in loaded.dict.keys where union.dict.contains(key) {
                throw ConfigError(.merge,
                    "key '\(key)' is defined by two bases: \(union.origins[key] ?? "?") and \(written)", at: statement)
            }
            for (key, value) in loaded.dict {
                union.dict[key] = value
                union.origins[key] = written
            }
        }
        return union
    }

    private static func format(of display: String, referrer: Referrer?) throws -> Format {
        switch PathUtil.extensionWithDot(display) {
        case ".py": return .python
        case ".json": return .json
        case ".yaml", ".yml": return .yaml
        case let ext:
            let what = ext.isEmpty ? "no file extension" : "unsupported file type '\(ext)'"
            let message = "\(referrer == nil ? "config" : "base config") '\(referrer?.written ?? display)': \(what) (expected .py, .json, .yaml or .yml)"
            throw ConfigError(.base, message, at: referrer?.location() ?? .file(display))
        }
    }

    private static func read(_ display: String, absolute: String, referrer: Referrer?) throws -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: absolute, isDirectory: &isDirectory), !isDirectory.boolValue else {
            let what = referrer.map { "base config '\($0.written)' not found (looked for \(display))" } ?? "config file '\(display)' not found"
            throw ConfigError(.base, what, at: referrer?.location() ?? .file(display))
        }
        guard let data = FileManager.default.contents(atPath: absolute) else {
            throw ConfigError(.io, "cannot read \(display)", at: referrer?.location() ?? .file(display))
        }
        return [UInt8](data)
    }

    /// `_base_` of a YAML/JSON file: a string or a list of strings.
    private static func dataBases(_ value: ConfigValue?, _ source: SourceText) throws -> [BaseRef] {
        let items: [ConfigValue]
        switch value {
        case nil: return []
        case .list(let list)?: items = list
        case let single?: items = [single]
        }
        return try items.map {
            guard case .string(let path) = $0 else {
                throw ConfigError(.base, "_base_ must be a string or a list of strings (file paths)", at: .file(source.file))
            }
            return BaseRef(path: path, offset: nil)
        }
    }

    private static func checkReserved(_ dict: ConfigDict, _ source: SourceText) throws {
        for key in dict.keys where PyEvaluator.reservedKeys.contains(key) {
            throw ConfigError(.name,
                "'\(key)' is a reserved key (reserved: \(PyEvaluator.reservedKeys.joined(separator: ", ")))", at: .file(source.file))
        }
    }

    /// Config files are UTF-8 (mmengine opens them so); the first bad byte is reported.
    private static func checkUTF8(_ bytes: [UInt8], _ display: String) throws {
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        var offset = 0
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let s): offset += UTF8.width(s)
            case .emptyInput: break loop
            case .error:
                let location = SourceText(file: display, original: bytes).locationInOriginal(offset)
                throw ConfigError(.io, "the file is not valid UTF-8 (a bad byte at or after this position)", at: location)
            }
        }
    }
}
