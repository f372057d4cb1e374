import Config
import Foundation
import Models
import NN
import Testing
import TestSupport

/// mmdetection 3.3.0's state-dict key lists of the full-size seed configs
/// (Tests/Fixtures/mmdet/keys): our components built from our config of the same name
/// have the same keys, order, shapes and trainable flags.
@Suite struct KeysFixtureTests {
    struct Entry: Equatable, CustomStringConvertible {
        let key: String
        let shape: [Int]
        let trainable: Bool
        var description: String { "\(key) \(shape)\(trainable ? "" : " frozen")" }
    }

    static let configs = [
        "faster-rcnn_r50_fpn_1x_coco", "mask-rcnn_r50_fpn_1x_coco", "mask-rcnn_r50_fpn_gn-all_2x_coco",
        "faster-rcnn_r50_fpn_gn-ws-all_1x_coco", "faster-rcnn_r101_fpn_gn-ws-all_1x_coco",
        "faster-rcnn_x50-32x4d_fpn_gn-ws-all_1x_coco", "faster-rcnn_x101-32x4d_fpn_gn-ws-all_1x_coco",
        "mask-rcnn_r50_fpn_gn-ws-all_2x_coco", "mask-rcnn_r101_fpn_gn-ws-all_2x_coco",
        "mask-rcnn_x50-32x4d_fpn_gn-ws-all_2x_coco", "mask-rcnn_x101-32x4d_fpn_gn-ws-all_2x_coco",
        "mask-rcnn_r50_fpn_gn-ws-all_20-23-24e_coco", "mask-rcnn_r101_fpn_gn-ws-all_20-23-24e_coco",
        "mask-rcnn_x50-32x4d_fpn_gn-ws-all_20-23-24e_coco", "mask-rcnn_x101-32x4d_fpn_gn-ws-all_20-23-24e_coco",
    ]

    /// Our config file of that name under configs/.
    static func configPath(_ name: String) throws -> String {
        let root = TestFiles.packageRoot.appendingPathComponent("configs")
        let files = FileManager.default.enumerator(atPath: root.path)?.compactMap { $0 as? String } ?? []
        guard let rel = files.first(where: { ($0 as NSString).lastPathComponent == name + ".py" }) else {
            throw TestFiles.Missing(path: "configs/**/\(name).py")
        }
        return root.appendingPathComponent(rel).path
    }

    static func reference(_ name: String, prefixes: [String]) throws -> [Entry] {
        let data = try Data(contentsOf: URL(fileURLWithPath: try TestFiles.fixture("mmdet/keys/\(name).json")))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let list = try #require(json["state_dict"] as? [[String: Any]])
        return list.compactMap { e in
            guard let key = e["key"] as? String, prefixes.contains(where: { key.hasPrefix($0) }) else { return nil }
            return Entry(key: key, shape: e["shape"] as? [Int] ?? [], trainable: e["requires_grad"] as? Bool ?? false)
        }
    }

    static func entries(_ module: any Module, prefix: String) -> [Entry] {
        module.stateDict(prefix: prefix).map { Entry(key: $0.key, shape: $0.tensor.shape, trainable: $0.isParameter && $0.tensor.requiresGrad) }
    }

    @Test(arguments: configs)
    func detectorKeysMatchMmdetection(name: String) throws {
        let cfg = try ConfigLoader().load(file: try Self.configPath(name))
        let detector = try ModelRegistry.detectors.build(try cfg.view("model"))
        let ours = Self.entries(detector, prefix: "")
        let expected = try Self.reference(name, prefixes: [""])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: try TestFiles.fixture("mmdet/keys/\(name).json")))) as? [String: Any])
        let params = detector.namedParameters()
        #expect(params.reduce(0) { $0 + $1.1.count } == json["num_params_total"] as? Int, "\(name): total parameters")
        #expect(params.filter { $0.1.requiresGrad }.reduce(0) { $0 + $1.1.count } == json["num_params_trainable"] as? Int, "\(name): trainable parameters")
        #expect(ours.count == expected.count, "\(name): \(ours.count) keys, mmdetection has \(expected.count)")
        if let i = zip(ours, expected).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
            Issue.record("\(name): entry \(i) is \(ours[i]), mmdetection has \(expected[i])")
        }
    }
}
