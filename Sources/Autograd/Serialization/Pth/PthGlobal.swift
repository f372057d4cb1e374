/// The element types of PyTorch storages that SwiftDet reads (`torch.<X>Storage`).
public enum PthDType: String, Sendable, CaseIterable {
    case float32, float64, float16, bfloat16, int64, int32, int16, int8, uint8, bool

    public var itemSize: Int {
        switch self {
        case .float64, .int64: 8
        case .float32, .int32: 4
        case .float16, .bfloat16, .int16: 2
        case .int8, .uint8, .bool: 1
        }
    }

    public var isFloatingPoint: Bool { [.float32, .float64, .float16, .bfloat16].contains(self) }

    /// The storage class that pickles it.
    static let storageClasses: [String: PthDType] = [
        "FloatStorage": .float32, "DoubleStorage": .float64, "HalfStorage": .float16, "BFloat16Storage": .bfloat16,
        "LongStorage": .int64, "IntStorage": .int32, "ShortStorage": .int16, "CharStorage": .int8,
        "ByteStorage": .uint8, "BoolStorage": .bool,
    ]
}

/// A global (module + name) that the reader interprets: the only callables that produce
/// values. Everything else is opaque (accepted, never interpreted) or refused.
enum PthGlobal: CustomStringConvertible, Equatable {
    case orderedDict
    case rebuildTensorV2, rebuildTensor, rebuildParameter, rebuildParameterWithState, rebuildFromTypeV2
    case torchSize
    case codecsEncode
    case storageClass(PthDType)
    /// `torch.Tensor` or `torch.nn.parameter.Parameter`: only as `_rebuild_from_type_v2`'s type.
    case tensorType
    /// `builtins.getattr`, which protocol 2 uses to pickle a method by name (mmengine's
    /// HistoryBuffer keeps `getattr(HistoryBuffer, 'min')` in its state): accepted only on an
    /// opaque value, giving an opaque value; nothing is looked up.
    case getattrOnOpaque

    var description: String {
        switch self {
        case .orderedDict: "collections.OrderedDict"
        case .rebuildTensorV2: "torch._utils._rebuild_tensor_v2"
        case .rebuildTensor: "torch._utils._rebuild_tensor"
        case .rebuildParameter: "torch._utils._rebuild_parameter"
        case .rebuildParameterWithState: "torch._utils._rebuild_parameter_with_state"
        case .rebuildFromTypeV2: "torch._tensor._rebuild_from_type_v2"
        case .torchSize: "torch.Size"
        case .codecsEncode: "_codecs.encode"
        case .storageClass(let d): "torch storage of \(d)"
        case .tensorType: "torch.Tensor"
        case .getattrOnOpaque: "builtins.getattr"
        }
    }

    static let interpreted: [String: PthGlobal] = {
        var t: [String: PthGlobal] = [
            "collections.OrderedDict": .orderedDict,
            "torch._utils._rebuild_tensor_v2": .rebuildTensorV2, "torch._utils._rebuild_tensor": .rebuildTensor,
            "torch._utils._rebuild_parameter": .rebuildParameter,
            "torch._utils._rebuild_parameter_with_state": .rebuildParameterWithState,
            "torch._tensor._rebuild_from_type_v2": .rebuildFromTypeV2,
            "torch.Size": .torchSize, "_codecs.encode": .codecsEncode,
            "torch.Tensor": .tensorType, "torch.nn.parameter.Parameter": .tensorType,
            "builtins.getattr": .getattrOnOpaque,
        ]
        for (name, dtype) in PthDType.storageClasses { t["torch." + name] = .storageClass(dtype) }
        return t
    }()

    /// Accepted and never interpreted: what OpenMMLab checkpoints hold outside the weights.
    static let opaque: Set<String> = {
        var s: Set<String> = [
            "numpy.ndarray", "numpy.dtype",
            "mmengine.logging.history_buffer.HistoryBuffer",
            "collections.Counter", "collections.defaultdict",
            "argparse.Namespace",
            "pathlib.PosixPath", "pathlib.WindowsPath", "pathlib.PurePosixPath", "pathlib.PureWindowsPath",
            "datetime.datetime", "datetime.date", "datetime.time", "datetime.timedelta", "datetime.timezone",
            "torch.device",
        ]
        for m in ["numpy.core.multiarray", "numpy._core.multiarray"] { s.insert(m + "._reconstruct"); s.insert(m + ".scalar") }
        for b in ["set", "frozenset", "complex", "bytearray", "slice", "object", "list", "dict", "tuple", "int", "float", "str", "bool"] {
            s.insert("builtins." + b)
        }
        for d in ["float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8", "bool", "float", "double",
                  "half", "long", "int"] {
            s.insert("torch." + d)
        }
        return s
    }()

    /// Modules that are refused even when a caller allows a name in them.
    static let blockedModules: Set<String> = [
        "os", "posix", "nt", "sys", "subprocess", "shutil", "socket", "importlib", "runpy", "pickle", "_pickle",
        "marshal", "ctypes", "types", "code", "pty", "webbrowser", "operator", "functools", "io", "tempfile",
        "multiprocessing", "signal", "asyncio",
    ]

    /// Protocol 2 spells `builtins` `__builtin__` and `copyreg` `copy_reg`.
    static func normalized(module: String, name: String) -> String {
        let m = switch module {
        case "__builtin__": "builtins"
        case "copy_reg": "copyreg"
        default: module
        }
        return m + "." + name
    }

    /// What a GLOBAL resolves to, or why it is refused.
    enum Resolution {
        case interpreted(PthGlobal)
        case opaque(String)
        case refused(String)
    }

    static func resolve(module: String, name: String, extraOpaque: Set<String>) -> Resolution {
        let full = normalized(module: module, name: name)
        let root = String(full.prefix { $0 != "." })
        if let g = interpreted[full] { return .interpreted(g) }
        if blockedModules.contains(root) || (root == "builtins" && !opaque.contains(full)) {
            return .refused("refused global `\(module).\(name)`: blocked module (the file may be malicious)")
        }
        if opaque.contains(full) || extraOpaque.contains(full) { return .opaque(full) }
        if full.hasPrefix("torch.") && full.hasSuffix("Storage") {
            return .refused("refused global `\(full)`: this storage type (complex, quantized or untyped) is not supported")
        }
        return .refused("refused global `\(module).\(name)`: not a type found in PyTorch/OpenMMLab checkpoints "
                        + "(if you trust the file: SWIFTDET_ALLOW_GLOBALS=\(full) skips it)")
    }
}
