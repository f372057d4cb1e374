import Autograd
import Config

/// A normalisation layer built from a `NormSpec`: a module mapping (N, C, H, W) to the same shape.
public protocol NormLayer: Module {
    func callAsFunction(_ x: Tensor) -> Tensor
    /// ReLU(norm(x)): one op (one pass forward and backward) where the norm has a fused form.
    func normReLU(_ x: Tensor) -> Tensor
    /// Sets weight 1 / bias 0 (mmcv's constant_init(norm, 1, bias=0)); `gamma` 0 for
    /// zero-init residual and SN's last_gamma.
    func resetAffine(gamma: Float)
}

extension NormLayer {
    public func normReLU(_ x: Tensor) -> Tensor { self(x).relu() }
}

/// A norm whose training statistics can span the processes of a data-parallel job (SyncBN,
/// SyncSN): the Engine sets `reducer` when the run has several processes.
public protocol SynchronizableNorm: AnyObject {
    /// Whether its config asked for synchronized statistics.
    var synchronized: Bool { get }
    var reducer: (any StatReducer)? { get set }
}

/// One norm type's own `norm_cfg` options, parsed once, and the layer they make. Each norm
/// file defines its `Options` next to its layer; `NormRegistry` maps the `type` names to them.
public protocol NormOptions: Sendable {
    /// mmcv's attribute abbreviation: `bn`, `gn`, `sn` (so `bn1`, `gn`, `sn2` ...).
    var abbreviation: String { get }
    /// A fresh layer over `channels` channels (weight 1, bias 0, running stats 0/1).
    func make(channels: Int, eps: Float) -> any NormLayer
    /// Why a layer over `channels` channels cannot be made (GN: groups that do not divide it).
    func invalidChannels(_ channels: Int) -> String?
}

extension NormOptions {
    public func invalidChannels(_ channels: Int) -> String? { nil }
}

/// mmcv's NORM_LAYERS: the `norm_cfg` types, one line each.
public enum NormRegistry {
    /// Keys every `norm_cfg` may have besides its type's own (read by `NormSpec`).
    public static let commonKeys = ["type", "requires_grad", "eps"]

    public static let types = Registry<any NormOptions>("norm_cfg", [
        "BN": { try BatchNorm2d.Options(config: $0) },
        "BN2d": { try BatchNorm2d.Options(config: $0) },
        "BatchNorm": { try BatchNorm2d.Options(config: $0) },
        "BatchNorm2d": { try BatchNorm2d.Options(config: $0) },
        // Synchronized across the processes of a job; alone, the batch's own statistics.
        "SyncBN": { try BatchNorm2d.Options(config: $0, synchronized: true) },
        "MMSyncBN": { try BatchNorm2d.Options(config: $0, synchronized: true, defaultStatsMode: "default") },
        "GN": { try GroupNorm.Options(config: $0) },
        "SN": { try SwitchNorm2d.Options(config: $0) },
        "SyncSN": { try SwitchNorm2d.Options(config: $0, synchronized: true) },
    ])
}

/// What `norm_cfg` asks for, parsed once and passed down (house rule 5): the type's options,
/// `eps`, and whether the affine parameters train.
public struct NormSpec: Sendable {
    public var options: any NormOptions
    public var eps: Float
    /// mmcv's `requires_grad`: whether γ and β train.
    public var requiresGrad: Bool

    public init(_ options: any NormOptions, eps: Float = 1e-5, requiresGrad: Bool = true) {
        self.options = options
        self.eps = eps
        self.requiresGrad = requiresGrad
    }

    /// From mmcv's `norm_cfg` (a type of `NormRegistry`, plus `requires_grad`, `eps`).
    public init(config c: ConfigView) throws {
        self.init(try NormRegistry.types.build(c), eps: Float(try c.double("eps", default: 1e-5, above: 0, why: "it keeps the division by the standard deviation finite")),
                  requiresGrad: try c.bool("requires_grad", default: true))
    }

    public var abbreviation: String { options.abbreviation }

    /// Checks, where `norm_cfg` is read (`c`), that a layer can be made over each channel
    /// count the component will use.
    public func check(channels: [Int], _ c: ConfigView) throws {
        for n in Set(channels).sorted() {
            if let why = options.invalidChannels(n) { throw c.error(c.contains("num_groups") ? "num_groups" : nil, why) }
        }
    }

    /// A fresh layer over `channels` channels (weight 1, bias 0, running stats 0/1).
    public func make(channels: Int) -> any NormLayer {
        let layer = options.make(channels: channels, eps: eps)
        layer.setRequiresGrad(requiresGrad)
        return layer
    }
}
