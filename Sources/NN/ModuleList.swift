import Autograd

/// An ordered list of modules named "0", "1", ... (torch.nn.ModuleList / nn.Sequential), so
/// keys read `layer1.0.conv1.weight` and `downsample.1.weight`.
public final class ModuleList: Module {
    public var training = true
    public let modules: [any Module]

    public init(_ modules: [any Module]) { self.modules = modules }

    public var children: [(String, any Module)] {
        modules.enumerated().map { (String($0.offset), $0.element) }
    }
    public var count: Int { modules.count }
}
