import Kernels
/// Axis-aligned boxes `x1, y1, x2, y2` in Float32 pixels, as mmdetection's `HorizontalBoxes`
/// (mmdet/structures/bbox/horizontal_boxes.py): the data-side geometry of rescale, clip and
/// flip. No `+1` anywhere: a box from `x` to `x + w` has width `w`.
public struct HorizontalBoxes: Sendable, Equatable {
    /// `count * 4` values, one box after the other.
    public var values: [Float]

    public init(_ values: [Float]) {
        checkInvariant(values.count % 4 == 0, "HorizontalBoxes: \(values.count) values is not a multiple of 4")
        self.values = values
    }

    public static let empty = HorizontalBoxes([])

    public var count: Int { values.count / 4 }

    /// Box `i` as (x1, y1, x2, y2).
    public subscript(i: Int) -> (x1: Float, y1: Float, x2: Float, y2: Float) {
        (values[4 * i], values[4 * i + 1], values[4 * i + 2], values[4 * i + 3])
    }

    /// Multiplies x by `sx` and y by `sy` in Float32 (mmdet `rescale_`).
    public func rescaled(x sx: Float, y sy: Float) -> HorizontalBoxes {
        var v = values
        for i in stride(from: 0, to: v.count, by: 2) {
            v[i] *= sx
            v[i + 1] *= sy
        }
        return HorizontalBoxes(v)
    }

    /// Clamps x to [0, width] and y to [0, height] (mmdet `clip_`, `img_shape` = (h, w)).
    public func clipped(height: Int, width: Int) -> HorizontalBoxes {
        let w = Float(width), h = Float(height)
        var v = values
        for i in stride(from: 0, to: v.count, by: 2) {
            v[i] = min(max(v[i], 0), w)
            v[i + 1] = min(max(v[i + 1], 0), h)
        }
        return HorizontalBoxes(v)
    }

    /// The boxes of the flipped image of size (height, width) (mmdet `flip_`):
    /// horizontally x1' = W - x2, x2' = W - x1; vertically likewise with H.
    public func flipped(_ direction: FlipDirection, height: Int, width: Int) -> HorizontalBoxes {
        let w = Float(width), h = Float(height)
        var v = values
        for b in 0..<count {
            let o = 4 * b
            if direction.flipsColumns {
                let x1 = v[o], x2 = v[o + 2]
                v[o] = w - x2
                v[o + 2] = w - x1
            }
            if direction.flipsRows {
                let y1 = v[o + 1], y2 = v[o + 3]
                v[o + 1] = h - y2
                v[o + 3] = h - y1
            }
        }
        return HorizontalBoxes(v)
    }

    /// The boxes at the given indices, in that order.
    public func selecting(_ indices: [Int]) -> HorizontalBoxes {
        var v: [Float] = []
        v.reserveCapacity(indices.count * 4)
        for i in indices { v.append(contentsOf: values[(4 * i)..<(4 * i + 4)]) }
        return HorizontalBoxes(v)
    }

    /// (x2 - x1) * (y2 - y1) per box.
    public var areas: [Float] {
        (0..<count).map { (values[4 * $0 + 2] - values[4 * $0]) * (values[4 * $0 + 3] - values[4 * $0 + 1]) }
    }
}
