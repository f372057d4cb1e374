import Foundation
import Structures

/// Where a `Pretrained` checkpoint named by a URL scheme is on this machine. mmengine resolves
/// `torchvision://`, `open-mmlab://` and `mmcls://` names to download URLs (its hub JSON
/// files) and caches the downloads as `$TORCH_HOME/hub/checkpoints/<file>`; SwiftDet never
/// downloads: it looks for `<file>` in `$SWIFTDET_WEIGHTS` and then in that cache, and checks
/// the file's SHA-256 against the hash prefix in its name (`resnet50-0676ba61.pth`).
public enum PretrainedWeights {
    /// torchvision's ImageNet ResNets and ResNeXts (mmengine's torchvision_0.12 table).
    static let torchvision = [
        "resnet18": "resnet18-f37072fd.pth", "resnet34": "resnet34-b627a593.pth", "resnet50": "resnet50-0676ba61.pth",
        "resnet101": "resnet101-63fe2227.pth", "resnet152": "resnet152-394f9c45.pth",
        "resnext50_32x4d": "resnext50_32x4d-7cdf4587.pth", "resnext101_32x8d": "resnext101_32x8d-8ba56ff5.pth",
        "wide_resnet50_2": "wide_resnet50_2-95faca4d.pth", "wide_resnet101_2": "wide_resnet101_2-32ee1156.pth",
    ]

    /// OpenMMLab's third-party ResNet/ResNeXt backbones (mmengine's openmmlab table), after
    /// its deprecated aliases.
    static let openMMLab = [
        "detectron/resnet50_caffe": "resnet50_caffe-788b5fa3.pth", "detectron2/resnet50_caffe": "resnet50_msra-5891d200.pth",
        "detectron/resnet101_caffe": "resnet101_caffe-3ad79236.pth", "detectron2/resnet101_caffe": "resnet101_msra-6cc46731.pth",
        "detectron2/resnext101_32x8d": "resnext101_32x8d-1516f1aa.pth", "resnext50_32x4d": "resnext50-32x4d-0ab1a123.pth",
        "resnext101_32x4d": "resnext101_32x4d-a5af3160.pth", "resnext101_64x4d": "resnext101_64x4d-ee2c6f71.pth",
        "detectron/resnet50_gn": "resnet50_gn-9186a21c.pth", "detectron/resnet101_gn": "resnet101_gn-cac0ab98.pth",
        "jhu/resnet50_gn_ws": "resnet50_gn_ws-15beedd8.pth", "jhu/resnet101_gn_ws": "resnet101_gn_ws-3e3c308c.pth",
        "jhu/resnext50_32x4d_gn_ws": "resnext50_32x4d_gn_ws-0d87ac85.pth",
        "jhu/resnext101_32x4d_gn_ws": "resnext101_32x4d_gn_ws-34ac1a9e.pth",
        "jhu/resnext50_32x4d_gn": "resnext50_32x4d_gn-c7e8b754.pth", "jhu/resnext101_32x4d_gn": "resnext101_32x4d_gn-ac3bb84e.pth",
    ]
    static let openMMLabAliases = [
        "resnet50_caffe": "detectron/resnet50_caffe", "resnet101_caffe": "detectron/resnet101_caffe",
    ]

    /// mmpretrain (mmcls) ImageNet classifiers: their `backbone.*` keys are the backbone's.
    static let mmcls = [
        "resnet18": "resnet18_8xb32_in1k_20210831-fbbb1da6.pth", "resnet34": "resnet34_8xb32_in1k_20210831-f257d4e6.pth",
        "resnet50": "resnet50_8xb32_in1k_20210831-ea4938fc.pth", "resnet101": "resnet101_8xb32_in1k_20210831-539c63f8.pth",
        "resnet152": "resnet152_8xb32_in1k_20210901-4d7582fa.pth",
        "resnext50_32x4d": "resnext50_32x4d_b32x8_imagenet_20210429-56066e27.pth",
        "resnext101_32x4d": "resnext101_32x4d_b32x8_imagenet_20210506-e0fa3dd5.pth",
        "resnext101_32x8d": "resnext101_32x8d_b32x8_imagenet_20210506-23a247d5.pth",
    ]

    public struct NotFound: Error, CustomStringConvertible {
        public let name: String
        public let reason: String
        public var description: String { "\(name): \(reason)" }
    }

    /// The folders searched, in order: `$SWIFTDET_WEIGHTS`, then torch's hub cache
    /// (`$TORCH_HOME/hub/checkpoints`, `$TORCH_HOME` defaulting to `$XDG_CACHE_HOME/torch` or
    /// `~/.cache/torch`).
    public static func searchFolders(_ env: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        var out: [String] = []
        if let w = env["SWIFTDET_WEIGHTS"], !w.isEmpty { out.append(w) }
        let cache = env["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (NSHomeDirectory() + "/.cache")
        let torchHome = env["TORCH_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (cache + "/torch")
        out.append(torchHome + "/hub/checkpoints")
        return out
    }

    /// The file a checkpoint name stands for: a plain path as it is; `scheme://name` (and an
    /// http(s) URL) as its file name found in `searchFolders`, hash-checked.
    public static func locate(_ checkpoint: String, env: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        guard let range = checkpoint.range(of: "://") else { return checkpoint }
        let scheme = String(checkpoint[..<range.lowerBound]), name = String(checkpoint[range.upperBound...])
        let file: String?
        switch scheme {
        case "torchvision": file = torchvision[name]
        case "open-mmlab": file = openMMLab[openMMLabAliases[name] ?? name]
        case "mmcls": file = mmcls[name]
        case "http", "https": file = name.split(separator: "/").last.map(String.init)
        default: throw NotFound(name: checkpoint, reason: "unknown scheme '\(scheme)://' (SwiftDet knows torchvision://, open-mmlab://, mmcls://, http(s)://)")
        }
        guard let file else {
            throw NotFound(name: checkpoint, reason: "not a name SwiftDet knows for \(scheme)://; give the file's path instead")
        }
        let folders = searchFolders(env)
        guard let path = folders.map({ $0 + "/" + file }).first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            throw NotFound(name: checkpoint, reason: "is the file \(file), which is not on this machine (SwiftDet downloads nothing): "
                           + "place it in \(folders.last!) or in a folder named by SWIFTDET_WEIGHTS; looked in "
                           + folders.joined(separator: ", "))
        }
        try checkHash(path, file: file, name: checkpoint)
        return path
    }

    /// torch.hub's rule: the hex digits after the last `-` of the name are a prefix of the
    /// file's SHA-256.
    static func checkHash(_ path: String, file: String, name: String) throws {
        let stem = (file as NSString).deletingPathExtension
        guard let dash = stem.lastIndex(of: "-") else { return }
        let prefix = String(stem[stem.index(after: dash)...])
        guard prefix.count >= 8, prefix.allSatisfy(\.isHexDigit) else { return }
        let digest = try FileDigest.sha256(path)
        guard digest.hasPrefix(prefix.lowercased()) else {
            throw NotFound(name: name, reason: "\(path) has SHA-256 \(digest.prefix(12))..., its name says \(prefix): the file is not the published one (incomplete download?)")
        }
    }
}
