import Config

/// Keys that would change the model but that SwiftDet does not implement: an error that says
/// so, never a key accepted and ignored.
extension ConfigView {
    /// A component's own `init_cfg` (not the backbone's `Pretrained`): SwiftDet applies
    /// mmdetection's default initialisation of each component, so a custom one would be ignored.
    func rejectInitConfig() throws {
        guard try optionalView("init_cfg") != nil else { return }
        throw error("init_cfg", "a custom init_cfg is not supported for \(typeName ?? "this component") "
                    + "(mmdetection's default initialisation is applied; remove the key)")
    }

    /// `key` absent, None, or `dict(type=<layer>)` with nothing else: a predictor layer of
    /// another kind would be ignored.
    func expectDefaultLayer(_ key: String, _ layer: String) throws {
        guard let v = try optionalView(key) else { return }
        try v.accept(["type"])
        let type = try v.string("type")
        guard type == layer else { throw v.error("type", "only \(layer) is supported for \(key), not '\(type)'") }
    }

    /// Flags whose only supported value is `supported` (e.g. `with_cls` True).
    func expectFlags(_ keys: [String], _ supported: Bool) throws {
        for key in keys where try bool(key, default: supported) != supported {
            throw error(key, "\(key)=\(supported ? "False" : "True") is not supported")
        }
    }
}
