import Config
import Kernels

/// mmcv's `LoadImageFromFile` with its defaults (OpenCV decoding, 'color'): reads
/// `info.imgPath` as 8-bit BGR and sets `img`, `img_shape` and `ori_shape` from the decoded
/// image (not from the annotation file's width and height).
public struct LoadImageFromFile: Transform {
    public init() {}

    /// Keys as mmcv's; only the defaults are supported (float images, other color types and
    /// file backends are refused with the key named).
    public init(config c: ConfigView) throws {
        try c.accept(["to_float32", "color_type", "imdecode_backend", "ignore_empty", "backend_args"])
        if try c.bool("to_float32", default: false) { throw c.error("to_float32", "only 8-bit images are supported (False)") }
        if try c.string("color_type", default: "color") != "color" { throw c.error("color_type", "only 'color' is supported") }
        if try c.string("imdecode_backend", default: "cv2") != "cv2" {
            throw c.error("imdecode_backend", "only 'cv2' (OpenCV-compatible decoding) is supported")
        }
        if try c.bool("ignore_empty", default: false) { throw c.error("ignore_empty", "only False is supported") }
        if let b = c.value("backend_args"), !b.isNone { throw c.error("backend_args", "only None (local files) is supported") }
    }

    public func apply(_ results: inout PipelineResults, rng: inout SeededGenerator) throws {
        let img = try ImageDecoder.load(path: results.info.imgPath, imageId: results.info.imgId)
        results.img = img
        results.imgShape = [img.height, img.width]
        results.oriShape = [img.height, img.width]
    }
}
