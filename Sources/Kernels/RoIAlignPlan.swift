/// The sampling grid of a RoIAlign call (mmcv.ops.roi_align): for every RoI its batch index,
/// grid size and count, and one table of `AxisSample`s per axis, (outH * gridH) rows then
/// (outW * gridW) columns. Built once per call; the forward and backward passes share it.
public struct RoIAlignPlan: Sendable {
    /// One RoI's place in the tables.
    public struct RoI: Sendable {
        public var batch: Int
        /// First entry of this RoI in the row (column) table, and samples per bin on that axis.
        public var yTable: Int, gridH: Int
        public var xTable: Int, gridW: Int
        /// Samples per bin, at least 1 (the divisor of the average).
        public var count: Float
    }

    public let batch: Int, channels: Int, height: Int, width: Int
    public let outH: Int, outW: Int
    public let rois: [RoI]
    let ys: [AxisSample]
    let xs: [AxisSample]

    /// Samples per bin, averaged over RoIs (at least 1): the work estimate for threading.
    public var meanSamplesPerBin: Int {
        rois.isEmpty ? 1 : max(1, rois.reduce(0) { $0 + $1.gridH * $1.gridW } / rois.count)
    }

    /// Plans RoIAlign of `roiCount` RoIs (batch index, x1, y1, x2, y2) over an (N, C, H, W)
    /// feature map. `samplingRatio` 0 means ceil(size / out) samples per bin and axis. Stops on
    /// a batch index outside 0..<N, or (when aligned) on a RoI of negative width or height, as
    /// mmcv does.
    // rois: (R, 5)
    public init(
        rois: UnsafePointer<Float>, roiCount: Int, batch: Int, channels: Int, height: Int, width: Int,
        outH: Int, outW: Int, spatialScale: Float, samplingRatio: Int, aligned: Bool
    ) {
        checkInvariant(outH > 0 && outW > 0 && samplingRatio >= 0 && height > 0 && width > 0,
                     "roiAlign: output \(outH)x\(outW), samplingRatio \(samplingRatio), feature \(height)x\(width)")
        (self.batch, self.channels, self.height, self.width) = (batch, channels, height, width)
        (self.outH, self.outW) = (outH, outW)
        var plans: [RoI] = [], ys: [AxisSample] = [], xs: [AxisSample] = []
        plans.reserveCapacity(roiCount)
        let offset: Float = aligned ? 0.5 : 0
        for r in 0..<roiCount {
            let roi = rois + 5 * r
            let b = Int(roi[0])
            checkInvariant(b >= 0 && b < batch, "roiAlign: RoI \(r) has batch index \(roi[0]) outside 0..<\(batch)")
            let x1 = roi[1] * spatialScale - offset, y1 = roi[2] * spatialScale - offset
            var w = (roi[3] * spatialScale - offset) - x1, h = (roi[4] * spatialScale - offset) - y1
            if aligned {
                checkInvariant(w >= 0 && h >= 0, "roiAlign: RoI \(r) (\(roi[1]), \(roi[2]), \(roi[3]), \(roi[4])) has a negative size")
            } else {
                (w, h) = (max(w, 1), max(h, 1))
            }
            let gridH = Self.grid(size: h, out: outH, samplingRatio: samplingRatio)
            let gridW = Self.grid(size: w, out: outW, samplingRatio: samplingRatio)
            plans.append(RoI(batch: b, yTable: ys.count, gridH: gridH, xTable: xs.count, gridW: gridW,
                             count: Float(max(gridH * gridW, 1))))
            Self.appendSamples(&ys, start: y1, size: h, out: outH, grid: gridH, length: height)
            Self.appendSamples(&xs, start: x1, size: w, out: outW, grid: gridW, length: width)
        }
        // A sentinel, never read, so that the tables are never empty buffers.
        ys.append(.outside)
        xs.append(.outside)
        (self.rois, self.ys, self.xs) = (plans, ys, xs)
    }

    /// Samples per bin along one axis: the sampling ratio, or ceil(size / out) when it is 0.
    static func grid(size: Float, out: Int, samplingRatio: Int) -> Int {
        samplingRatio > 0 ? samplingRatio : Int((size / Float(out)).rounded(.up))
    }

    /// The out * grid samples of one axis, bin-major, at start + bin * p + (i + 0.5) * bin / grid.
    static func appendSamples(_ table: inout [AxisSample], start: Float, size: Float, out: Int, grid: Int, length: Int) {
        let bin = size / Float(out)
        for p in 0..<out {
            for i in 0..<grid {
                let position = start + Float(p) * bin + (Float(i) + 0.5) * bin / Float(grid)
                table.append(AxisSample(position: position, size: length))
            }
        }
    }

    /// Runs `body` with the row and column tables.
    func withTables<R>(_ body: (UnsafePointer<AxisSample>, UnsafePointer<AxisSample>) -> R) -> R {
        ys.withUnsafeBufferPointer { y in
            xs.withUnsafeBufferPointer { x in
                body(y.baseAddress!, x.baseAddress!)
            }
        }
    }
}
