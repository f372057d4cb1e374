/// Instance masks as polygons, as mmdetection's `PolygonMasks`: per instance a list of parts,
/// each a flat `[x0, y0, x1, y1, ...]` in pixels of an image of `height x width`. Geometry
/// moves the vertices; `toBitmap()` rasterizes them as pycocotools does.
public struct PolygonMasks: Sendable, Equatable {
    public let height: Int
    public let width: Int
    /// instance -> parts -> flat coordinates.
    public var polygons: [[[Double]]]

    public init(height: Int, width: Int, polygons: [[[Double]]]) {
        self.height = height
        self.width = width
        self.polygons = polygons
    }

    public var count: Int { polygons.count }

    public func selecting(_ indices: [Int]) -> PolygonMasks {
        PolygonMasks(height: height, width: width, polygons: indices.map { polygons[$0] })
    }

    /// Vertices scaled to an image of (height, width) (mmdet `resize`: x by newW / W,
    /// y by newH / H, in Double).
    public func resized(height newH: Int, width newW: Int) -> PolygonMasks {
        let hs = Double(newH) / Double(height), ws = Double(newW) / Double(width)
        return PolygonMasks(height: newH, width: newW, polygons: mapCoordinates { x, y in (x * ws, y * hs) })
    }

    /// Vertices of the flipped image (mmdet `flip`: x' = W - x, y' = H - y; no -1).
    public func flipped(_ direction: FlipDirection) -> PolygonMasks {
        let w = Double(width), h = Double(height)
        return PolygonMasks(height: height, width: width, polygons: mapCoordinates { x, y in
            (direction.flipsColumns ? w - x : x, direction.flipsRows ? h - y : y)
        })
    }

    /// Zero padding changes only the canvas size.
    public func padded(height newH: Int, width newW: Int) -> PolygonMasks {
        PolygonMasks(height: newH, width: newW, polygons: polygons)
    }

    /// The region of a box (mmdet `crop`): the box is clipped to the image, its size is at
    /// least 1x1, each part is clipped to the box (Sutherland-Hodgman, which equals shapely's
    /// intersection for the simple polygons of COCO) and moved to the box origin. Parts that
    /// vanish are dropped; an instance left without parts keeps one empty part.
    public func cropped(x1: Double, y1: Double, x2: Double, y2: Double) -> PolygonMasks {
        let cx1 = min(max(x1, 0), Double(width)), cx2 = min(max(x2, 0), Double(width))
        let cy1 = min(max(y1, 0), Double(height)), cy2 = min(max(y2, 0), Double(height))
        let w = max(cx2 - cx1, 1), h = max(cy2 - cy1, 1)
        let out = polygons.map { parts -> [[Double]] in
            let clipped = parts.map { PolygonClip.toRectangle($0, x1: cx1, y1: cy1, x2: cx1 + w, y2: cy1 + h) }
                .filter { $0.count >= 6 }
                .map { part in part.enumerated().map { $0.offset % 2 == 0 ? $0.element - cx1 : $0.element - cy1 } }
            return clipped.isEmpty ? [[]] : clipped
        }
        return PolygonMasks(height: Int(h), width: Int(w), polygons: out)
    }

    /// The shoelace area of each instance (sum over its parts), mmdet `areas`.
    public var areas: [Double] {
        polygons.map { parts in
            parts.reduce(0) { acc, p in
                var s = 0.0
                let n = p.count / 2
                for i in 0..<n {
                    let j = (i + 1) % n
                    s += p[2 * i] * p[2 * j + 1] - p[2 * j] * p[2 * i + 1]
                }
                return acc + abs(s) / 2
            }
        }
    }

    private func mapCoordinates(_ f: (Double, Double) -> (Double, Double)) -> [[[Double]]] {
        polygons.map { parts in
            parts.map { p in
                var q = p
                for i in stride(from: 0, to: p.count - 1, by: 2) { (q[i], q[i + 1]) = f(p[i], p[i + 1]) }
                return q
            }
        }
    }
}

/// Clipping of a polygon to an axis-aligned rectangle (Sutherland-Hodgman).
enum PolygonClip {
    static func toRectangle(_ flat: [Double], x1: Double, y1: Double, x2: Double, y2: Double) -> [Double] {
        var pts = stride(from: 0, to: flat.count - 1, by: 2).map { (flat[$0], flat[$0 + 1]) }
        let edges: [((Double, Double)) -> Double] = [
            { $0.0 - x1 }, { x2 - $0.0 }, { $0.1 - y1 }, { y2 - $0.1 },
        ]
        for inside in edges {
            guard !pts.isEmpty else { break }
            var next: [(Double, Double)] = []
            for i in 0..<pts.count {
                let a = pts[i], b = pts[(i + 1) % pts.count]
                let da = inside(a), db = inside(b)
                if da >= 0 { next.append(a) }
                if (da >= 0) != (db >= 0) {
                    let t = da / (da - db)
                    next.append((a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1)))
                }
            }
            pts = next
        }
        return pts.flatMap { [$0.0, $0.1] }
    }
}
