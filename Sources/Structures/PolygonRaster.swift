import Foundation

/// Polygon and box rasterization bit-exact with pycocotools (`rleFrPoly`, `rleFrBbox`,
/// `frPyObjects` + `merge` as `COCO.annToRLE` uses them). The boundary is walked on a grid 5x
/// finer than the pixels; a pixel column's runs toggle where the boundary crosses its centre.
extension RLE {
    /// The mask of one polygon `[x0, y0, x1, y1, ...]` (pixel coordinates; a trailing odd
    /// number is ignored; fewer than 2 points give an empty mask), as `rleFrPoly`.
    public init(polygon: [Double], height: Int, width: Int) {
        self.init(polygon: polygon, height: height, width: width, everyPoint: false)
    }

    /// `init(polygon:height:width:)`, walking every point of each edge when `everyPoint` (as
    /// pycocotools does: for the tests, which compare the two).
    public init(polygon: [Double], height: Int, width: Int, everyPoint: Bool) {
        var raster = PolygonRasterizer(height: height, width: width, clipped: !everyPoint)
        polygon.withUnsafeBufferPointer { raster.walk($0) }
        self.init(height: height, width: width, counts: raster.counts())
    }

    /// The mask of a box `[x, y, w, h]`: its 4-corner polygon, as `rleFrBbox`.
    public init(box: XYWH, height: Int, width: Int) {
        let xe = box.x + box.w, ye = box.y + box.h
        self.init(polygon: [box.x, box.y, box.x, ye, xe, ye, xe, box.y], height: height, width: width)
    }

    /// A COCO polygon segmentation (one or more parts) as one mask: each part rasterized, then
    /// all unioned, as `COCO.annToRLE` does. Throws where pycocotools cannot read the list: no
    /// parts, or a first part of 4 numbers or fewer (pycocotools takes such a list for boxes).
    public init(polygons: [[Double]], height: Int, width: Int) throws {
        guard let first = polygons.first else {
            throw StructuresError(.format, "polygon segmentation with no parts")
        }
        guard first.count > 4 else {
            throw StructuresError(
                .format,
                "polygon segmentation whose first part has \(first.count) numbers (pycocotools needs at least 6, 3 points)")
        }
        if polygons.count == 1 {
            self.init(polygon: first, height: height, width: width)
        } else {
            self = RLE.merge(polygons.map { RLE(polygon: $0, height: height, width: width) })
        }
    }
}

/// `rleFrPoly` as a stream: the upsampled boundary points are visited in pycocotools' order
/// without being stored, and only the crossings of pixel-centre columns are kept.
struct PolygonRasterizer {
    static let scale = 5.0
    let height: Int
    let width: Int
    private(set) var crossings: [UInt32] = []
    private var previous: (u: Int, v: Int)? = nil
    private let maxColumn: Double

    /// Whether edges skip the points that cannot make a crossing (`edge`); false walks every
    /// point (`fullEdge`), for the tests to compare.
    let clipped: Bool

    init(height: Int, width: Int, clipped: Bool = true) {
        self.height = height
        self.width = width
        self.clipped = clipped
        // `xd > w - 1` with an unsigned w in C: w = 0 wraps to the largest value.
        self.maxColumn = width > 0 ? Double(width - 1) : Double(UInt64.max)
    }

    /// C's `(int)` of a double on x86-64: truncation toward zero; NaN and out-of-range values
    /// give INT_MIN.
    @inline(__always)
    static func cInt(_ value: Double) -> Int {
        guard value > -2147483649.0, value < 2147483648.0 else { return Int(Int32.min) }
        return Int(value)  // truncates toward zero
    }

    /// Walks every edge of the closed polygon `xy` on the 5x grid.
    mutating func walk(_ xy: UnsafeBufferPointer<Double>) {
        let k = xy.count / 2
        guard k > 0 else { return }
        // An image of no pixels has an empty mask (pycocotools gives the same on a height of 0;
        // on a width of 0, its unsigned w - 1 keeps every column, a mask that does not fit the
        // image, as large as the polygon is wide: a vertex at 4e8 made 2e9 crossings).
        if clipped && (width <= 0 || height <= 0) { return }
        var xs = [Int](repeating: 0, count: k + 1), ys = [Int](repeating: 0, count: k + 1)
        for j in 0..<k {
            xs[j] = Self.cInt(Self.scale * xy[2 * j] + 0.5)
            ys[j] = Self.cInt(Self.scale * xy[2 * j + 1] + 0.5)
        }
        xs[k] = xs[0]
        ys[k] = ys[0]
        for j in 0..<k { edge(xs[j], ys[j], xs[j + 1], ys[j + 1]) }
    }

    /// One edge: every grid point from one end to the other along the major axis, emitted in
    /// the edge's direction (the walk itself goes from the lower end when it must flip).
    ///
    /// Only points whose column can make a crossing are visited: the column moves monotonically
    /// and by at most one per point, so those in the image's columns (with a margin) are one run,
    /// found by bisection; on a steep edge only the points where the column changes are visited
    /// (the others only move `previous`). The crossings are the full walk's (`fullEdge`, kept
    /// for the tests), but a polygon with a vertex at 4e8 costs its image's width, not 2e9 steps.
    private mutating func edge(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int) {
        guard clipped else { return fullEdge(x0, y0, x1, y1) }
        var xs = x0, xe = x1, ys = y0, ye = y1
        let dx = abs(xe - xs), dy = abs(ys - ye)
        let flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye)
        if flip { swap(&xs, &xe); swap(&ys, &ye) }
        if dx < dy && dx == 0 { return verticalEdge(xs, ys, dy, flip) }
        let xMajor = dx >= dy, n = max(dx, dy)
        let s = xMajor ? Double(ye - ys) / Double(dx) : Double(xe - xs) / Double(dy)
        let x = Double(xs), y = Double(ys)
        func point(_ d: Int) -> (u: Int, v: Int) {
            let t = flip ? n - d : d
            return xMajor ? (t + xs, Self.cInt(y + s * Double(t) + 0.5)) : (Self.cInt(x + s * Double(t) + 0.5), t + ys)
        }
        // A crossing needs a column of 2 ... 5 width - 2 on one side of the step (see `visit`).
        let lo = 0, hi = width > 0 ? 5 * width + 5 : Int.max
        let increasing = point(n).u >= point(0).u
        let first = Self.firstIndex(0, n) { increasing ? point($0).u >= lo : point($0).u <= hi }
        let last = Self.firstIndex(0, n) { increasing ? point($0).u > hi : point($0).u < lo } - 1
        defer { let p = point(n); previous = (p.u, p.v) }
        guard first <= last else { return }
        if first > 0 { let p = point(first - 1); previous = (p.u, p.v) }
        var d = first
        var p = point(d)
        visit(u: p.u, v: p.v)
        while d < last {
            if xMajor {
                d += 1
            } else {
                let u = p.u
                d = Self.firstIndex(d + 1, last) { point($0).u != u }
                let before = point(d - 1)
                previous = (before.u, before.v)
                if d > last { return }
            }
            p = point(d)
            visit(u: p.u, v: p.v)
        }
    }

    /// The smallest index in lo...hi where `rule` holds (it holds from some index on), or hi + 1.
    private static func firstIndex(_ lo: Int, _ hi: Int, _ rule: (Int) -> Bool) -> Int {
        var a = lo, b = hi + 1
        while a < b {
            let mid = a + (b - a) / 2
            if rule(mid) { b = mid } else { a = mid + 1 }
        }
        return a
    }

    /// A vertical edge: every point has the same column, so only its two ends can differ from
    /// their neighbours (the points between change nothing).
    private mutating func verticalEdge(_ xs: Int, _ ys: Int, _ dy: Int, _ flip: Bool) {
        let u = Self.cInt(Double(xs) + 0.5)
        visit(u: u, v: (flip ? dy : 0) + ys)
        visit(u: u, v: (flip ? 0 : dy) + ys)
    }

    /// `edge` visiting every point: pycocotools' walk as it is.
    private mutating func fullEdge(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int) {
        var xs = x0, xe = x1, ys = y0, ye = y1
        let dx = abs(xe - xs), dy = abs(ys - ye)
        let flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye)
        if flip { swap(&xs, &xe); swap(&ys, &ye) }
        if dx >= dy {
            let s = Double(ye - ys) / Double(dx)
            for d in 0...dx {
                let t = flip ? dx - d : d
                visit(u: t + xs, v: Self.cInt(Double(ys) + s * Double(t) + 0.5))
            }
        } else if dx == 0 {
            verticalEdge(xs, ys, dy, flip)
        } else {
            let s = Double(xe - xs) / Double(dy)
            for d in 0...dy {
                let t = flip ? dy - d : d
                visit(u: Self.cInt(Double(xs) + s * Double(t) + 0.5), v: t + ys)
            }
        }
    }

    /// Between consecutive points whose grid column changes: keep the crossing if it lies on a
    /// pixel-centre column inside the image; its row is the ceiling of the upper point's row.
    @inline(__always)
    private mutating func visit(u: Int, v: Int) {
        defer { previous = (u, v) }
        guard let (pu, pv) = previous, u != pu else { return }
        var xd = Double(u < pu ? u : u - 1)
        xd = (xd + 0.5) / Self.scale - 0.5
        // floor(xd) != xd; xd is a small multiple of 0.2, so truncation tests it as well.
        if xd < 0 || xd > maxColumn || Double(Int(xd)) != xd { return }
        var yd = Double(v < pv ? v : pv)
        yd = (yd + 0.5) / Self.scale - 0.5
        if yd < 0 { yd = 0 } else if yd > Double(height) { yd = Double(height) }
        let whole = Double(Int(yd))  // ceil of a value in [0, height]
        yd = whole < yd ? whole + 1 : whole
        let index = Int(xd) * height + Int(yd)
        crossings.append(UInt32(truncatingIfNeeded: index))
    }

    /// Run lengths from the sorted crossings: each toggles 0/1; two crossings at the same pixel
    /// cancel (the zero difference is dropped and the next one added to the last run).
    func counts() -> [UInt32] {
        var a = crossings
        a.append(UInt32(truncatingIfNeeded: height * width))
        a.sort()
        var previous: UInt32 = 0
        for j in 0..<a.count {
            let t = a[j]
            a[j] = t &- previous
            previous = t
        }
        var b: [UInt32] = [a[0]]
        b.reserveCapacity(a.count)
        var j = 1
        while j < a.count {
            if a[j] > 0 {
                b.append(a[j])
                j += 1
            } else {
                j += 1
                if j < a.count {
                    b[b.count - 1] &+= a[j]
                    j += 1
                }
            }
        }
        return b
    }
}
