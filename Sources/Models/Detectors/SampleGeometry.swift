import Structures

/// The geometry of one sample that the detector reads from its meta information.
public struct SampleGeometry {
    /// Resized image (h, w): proposals and boxes are clipped to it.
    public var imgShape: (h: Int, w: Int)
    /// Padded image (h, w): anchors beyond it are invalid.
    public var padShape: (h: Int, w: Int)
    /// Original image (h, w): predictions are rescaled into it.
    public var oriShape: (h: Int, w: Int)
    /// (w, h) factors from the original to the resized image.
    public var scaleFactor: (w: Double, h: Double)
    /// The seed of the image's random draws in training (`SampleMeta.drawSeed`).
    public var drawSeed: UInt64?

    /// Meta fields as the data pipeline and preprocessor fill them; a missing img_shape falls
    /// back to the batch input (a sample fed without a pipeline), as do pad and original shapes.
    public init(_ meta: SampleMeta, input: (h: Int, w: Int), index: Int) throws {
        func pair(_ v: [Int]?, _ name: String) throws -> (Int, Int)? {
            guard let v else { return nil }
            guard v.count >= 2, v[0] > 0, v[1] > 0 else { throw DetectorError("sample \(index): \(name) \(v) is not (height, width)") }
            return (v[0], v[1])
        }
        imgShape = try pair(meta.imgShape, "img_shape") ?? input
        padShape = try pair(meta.padShape, "pad_shape") ?? input
        oriShape = try pair(meta.oriShape, "ori_shape") ?? imgShape
        drawSeed = meta.drawSeed
        if let s = meta.scaleFactor {
            guard s.count == 2, s[0] > 0, s[1] > 0 else { throw DetectorError("sample \(index): scale_factor \(s) is not (w, h) > 0") }
            scaleFactor = (s[0], s[1])
        } else {
            scaleFactor = (1, 1)
        }
    }
}
