import Foundation

/// mmdetection's FCNMaskHead mask pasting on the CPU (`_do_paste_mask`, one mask per chunk,
/// skip_empty): each mask probability map (S x S) is resampled into its box's region of the
/// output image with bilinear `grid_sample` (align_corners False, zero padding), pixel
/// centres at +0.5 and coordinates normalised over the box, then thresholded.
public enum MaskPaste {
    /// Binary mask (imgH x imgW, row-major) of one instance. `probs` is (S x S) row-major
    /// sigmoid probabilities of the predicted class; `box` x1, y1, x2, y2 in output pixels.
    public static func paste(probs: [Float], size s: Int, box: [Float], imgH: Int, imgW: Int, threshold: Float) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: imgH * imgW)
        let (x0, y0, x1, y1) = (box[0], box[1], box[2], box[3])
        let xStart = max(Int(Foundation.floor(x0)) - 1, 0), yStart = max(Int(Foundation.floor(y0)) - 1, 0)
        let xEnd = min(Int(Foundation.ceil(x1)) + 1, imgW), yEnd = min(Int(Foundation.ceil(y1)) + 1, imgH)
        guard xStart < xEnd, yStart < yEnd else { return out }
        // Normalised grid coordinates of the region's pixel centres (inf -> 0 as mmdetection).
        func normalised(_ p: Int, _ lo: Float, _ hi: Float) -> Float {
            let v = (Float(p) + 0.5 - lo) / (hi - lo) * 2 - 1
            return v.isInfinite ? 0 : v
        }
        let gx = (xStart..<xEnd).map { normalised($0, x0, x1) }
        let gy = (yStart..<yEnd).map { normalised($0, y0, y1) }
        let sf = Float(s)
        for (j, y) in gy.enumerated() {
            // grid_sample, align_corners False: source coordinate ((g + 1) S - 1) / 2.
            let iy = ((y + 1) * sf - 1) / 2
            for (i, x) in gx.enumerated() {
                let ix = ((x + 1) * sf - 1) / 2
                if bilinear(probs, s, ix, iy) >= threshold { out[(yStart + j) * imgW + xStart + i] = 1 }
            }
        }
        return out
    }

    /// Bilinear sample with zero padding outside the map (grid_sample's padding_mode zeros).
    static func bilinear(_ p: [Float], _ s: Int, _ x: Float, _ y: Float) -> Float {
        let xw = Foundation.floor(x), yn = Foundation.floor(y)
        let (ix0, iy0) = (Int(xw), Int(yn))
        let (ax, ay) = (x - xw, y - yn)
        func at(_ xx: Int, _ yy: Int) -> Float { (xx >= 0 && xx < s && yy >= 0 && yy < s) ? p[yy * s + xx] : 0 }
        let nw = (1 - ax) * (1 - ay), ne = ax * (1 - ay), sw = (1 - ax) * ay, se = ax * ay
        return at(ix0, iy0) * nw + at(ix0 + 1, iy0) * ne + at(ix0, iy0 + 1) * sw + at(ix0 + 1, iy0 + 1) * se
    }
}
