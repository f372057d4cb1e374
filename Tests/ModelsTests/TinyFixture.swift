import Autograd
import Config
import Foundation
import Models
import NN
import Testing
import TestSupport

/// One of mmdetection's tiny full-model cases (Tests/Fixtures/mmdet/tiny-*.{json,safetensors}):
/// the merged model config, the weights (`state_dict.*`), inputs and intermediates.
struct TinyCase {
    static let names = [
        "tiny-mask-rcnn_r50_fpn_gn-ws-all", "tiny-faster-rcnn_x50-4x4d_fpn_gn-ws-all",
        "tiny-mask-rcnn_r50_fpn_frozen-bn", "tiny-faster-rcnn_r18_fpn_gn-ws",
    ]
    /// Tensors that do not depend on the model are stored only in the first case.
    static let sharedCase = names[0]

    let name: String
    let tensors: SafetensorsFile
    let shared: SafetensorsFile
    let sidecar: ConfigView

    init(_ name: String) throws {
        self.name = name
        tensors = try SafetensorsFile(path: TestFiles.fixture("mmdet/\(name).safetensors"))
        shared = name == Self.sharedCase ? tensors
            : try SafetensorsFile(path: TestFiles.fixture("mmdet/\(Self.sharedCase).safetensors"))
        let path = try TestFiles.fixture("mmdet/\(name).json")
        let dict = try ConfigDict(jsonText: String(contentsOfFile: path, encoding: .utf8), name: path)
        sidecar = ConfigView(dict: dict, source: path)
    }

    /// The `model` section of the merged mmengine config.
    func modelConfig() throws -> ConfigView { try sidecar.view("merged_config").view("model") }

    /// The whole detector from the merged config with every weight loaded (strict: the
    /// checkpoint's keys equal the model's), in training or eval mode.
    func detector(training: Bool = false) throws -> TwoStageDetector {
        let d = try #require(try ModelRegistry.detectors.build(try modelConfig()) as? TwoStageDetector)
        try d.loadStateDict(from: tensors, prefix: "state_dict.")
        d.train(training)
        return d
    }

    /// The preprocessed input (1, 3, H, W).
    func input() throws -> Tensor { try shared.tensor("input") }

    /// Compares a (1, C, H, W) map with the stored one: the first 4 channels (`<name>.ch0_4`)
    /// or the whole map, and every channel's sum, sum of squares, min and max.
    ///
    /// The criterion is a relative L2 error <= `rtol` over the stored values, plus a loose
    /// elementwise bound (10 `rtol` of the channel RMS). Why not 1e-4 per element: these
    /// randomly weighted tiny networks amplify float32 rounding about 3000x by C5. Perturbing
    /// the input by one rounding (6e-8 relative) moves our own C5 by 1.9e-4 of its RMS (C2
    /// 1.1e-5, C3 2.6e-5, C4 9.7e-5), the same size as our difference from mmdetection, so
    /// no float32 implementation with another summation order meets 1e-4 per element there.
    func expectMap(_ ours: Tensor, _ key: String, rtol: Double = 1e-4, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let (c, hw) = (ours.dim(1), ours.dim(2) * ours.dim(3))
        let v = ours.scalars
        var sums = [Double](repeating: 0, count: c), sumsq = sums, mins = sums, maxs = sums
        for ch in 0..<c {
            let plane = v[(ch * hw)..<((ch + 1) * hw)].map(Double.init)
            sums[ch] = plane.reduce(0, +)
            sumsq[ch] = plane.reduce(0) { $0 + $1 * $1 }
            mins[ch] = plane.min()!
            maxs[ch] = plane.max()!
        }
        let rms = sumsq.map { max(($0 / Double(hw)).squareRoot(), 1e-6) }
        func fail(_ message: String) { Issue.record("\(name) \(key) \(message)", sourceLocation: sourceLocation) }

        let partial = tensors.entries["\(key).ch0_4"] != nil
        let stored = try tensors.tensor(partial ? "\(key).ch0_4" : key).scalars.map(Double.init)
        let values = v.prefix(stored.count).map(Double.init)
        let diff2 = zip(values, stored).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        let ref2 = stored.reduce(0.0) { $0 + $1 * $1 }
        let relL2 = (diff2 / max(ref2, 1e-30)).squareRoot()
        if relL2 > rtol { fail("values: relative L2 error \(relL2) > \(rtol)") }
        for i in values.indices where Swift.abs(values[i] - stored[i]) > 10 * rtol * rms[i / hw] {
            fail("values[\(i)]: ours \(values[i]), mmdetection \(stored[i])")
            break
        }
        func check(_ what: String, _ a: [Double], _ e: [Float], scale: (Int) -> Double) {
            for i in a.indices where Swift.abs(a[i] - Double(e[i])) > scale(i) {
                fail("\(what)[\(i)]: ours \(a[i]), mmdetection \(e[i]) (tolerance \(scale(i)))")
                return
            }
        }
        // Whole small maps are stored without statistics; partial ones always have them.
        guard partial || tensors.entries["\(key).stat_sum"] != nil else { return }
        check("sum", sums, try tensors.tensor("\(key).stat_sum").scalars) { rtol * rms[$0] * Double(hw) }
        check("sumsq", sumsq, try tensors.tensor("\(key).stat_sumsq").scalars) { 2 * rtol * rms[$0] * rms[$0] * Double(hw) }
        check("min", mins, try tensors.tensor("\(key).stat_min").scalars) { 10 * rtol * rms[$0] }
        check("max", maxs, try tensors.tensor("\(key).stat_max").scalars) { 10 * rtol * rms[$0] }
    }
}
