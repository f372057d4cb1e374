import Config
import Kernels
import Structures

/// mmdetection's `LoadAnnotations(with_bbox, with_label, with_mask, poly2mask)`: boxes
/// (Float32 `x1, y1, x2, y2`), labels and ignore flags of `info.instances`, and masks at the
/// original image size. As in mmdetection, a polygon part with an odd number of coordinates
/// or fewer than 3 points is dropped, and an instance left with no part (or with an unusable
/// segmentation) becomes ignored with an empty mask. With `poly2mask` (the default) masks are
/// rasterized exactly as pycocotools does (`BitmapMasks`), else kept as `PolygonMasks`.
public struct LoadAnnotations: Transform {
    public let withBbox: Bool
    public let withLabel: Bool
    public let withMask: Bool
    public let poly2mask: Bool

    public init(withBbox: Bool = true, withLabel: Bool = true, withMask: Bool = false, poly2mask: Bool = true) {
        self.withBbox = withBbox
        self.withLabel = withLabel
        self.withMask = withMask
        self.poly2mask = poly2mask
    }

    public init(config c: ConfigView) throws {
        try c.accept(["with_bbox", "with_label", "with_mask", "with_seg", "poly2mask", "box_type",
                      "reduce_zero_label", "ignore_index", "imdecode_backend", "backend_args"])
        if try c.bool("with_seg", default: false) { throw c.error("with_seg", "semantic segmentation maps are not supported") }
        if try c.string("box_type", default: "hbox") != "hbox" { throw c.error("box_type", "only 'hbox' is supported") }
        if let b = c.value("backend_args"), !b.isNone { throw c.error("backend_args", "only None (local files) is supported") }
        self.init(withBbox: try c.bool("with_bbox", default: true), withLabel: try c.bool("with_label", default: true),
                  withMask: try c.bool("with_mask", default: false), poly2mask: try c.bool("poly2mask", default: true))
    }

    public func apply(_ results: inout PipelineResults, rng: inout SeededGenerator) throws {
        let instances = results.info.instances
        if withBbox {
            results.gtBboxes = HorizontalBoxes(instances.flatMap { $0.bbox.map(Float.init) })
            results.gtIgnoreFlags = instances.map(\.ignoreFlag)
        }
        if withLabel { results.gtLabels = instances.map(\.label) }
        if withMask { try loadMasks(&results) }
    }

    private func loadMasks(_ results: inout PipelineResults) throws {
        guard let shape = results.oriShape else { throw DatasetError.pipeline("LoadAnnotations(with_mask) needs ori_shape (LoadImageFromFile first)") }
        let (h, w) = (shape[0], shape[1])
        var ignore: [Bool] = []
        var polygons: [[[Double]]] = []
        var bitmaps: [UInt8] = []
        for inst in results.info.instances {
            var usable = Self.usableSegmentation(inst.mask, poly2mask: poly2mask)
            if case .polygons(let parts)? = usable, parts.isEmpty { usable = nil }
            ignore.append(inst.ignoreFlag || usable == nil)
            if poly2mask {
                if let seg = usable {
                    bitmaps += try MaskRasterizer.bitmap(seg, height: h, width: w, file: results.info.annotationFile,
                                                         annotationId: inst.annotationId)
                } else {
                    bitmaps += [UInt8](repeating: 0, count: h * w)
                }
            } else if case .polygons(let parts)? = usable {
                polygons.append(parts)
            } else {
                polygons.append([[Double](repeating: 0, count: 6)])
            }
        }
        results.gtIgnoreFlags = ignore
        results.gtMasks = poly2mask
            ? .bitmap(BitmapMasks(height: h, width: w, data: bitmaps))
            : .polygon(PolygonMasks(height: h, width: w, polygons: polygons))
    }

    /// mmdetection's validity rule: polygons keep their parts of even length >= 6; RLE is
    /// usable only when rasterizing (`poly2mask`).
    static func usableSegmentation(_ seg: CocoSegmentation?, poly2mask: Bool) -> CocoSegmentation? {
        switch seg {
        case .polygons(let parts)?: return .polygons(parts.filter(isUsablePolygon))
        case .rle?: return poly2mask ? seg : nil
        case nil: return nil
        }
    }

    /// mmdetection keeps a polygon part with an even number (>= 6) of coordinates.
    public static func isUsablePolygon(_ part: [Double]) -> Bool { part.count % 2 == 0 && part.count >= 6 }
}
