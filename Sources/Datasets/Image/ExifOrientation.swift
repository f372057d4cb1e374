/// The EXIF Orientation tag (1...8) and the pixel transform that shows the picture upright,
/// as OpenCV's `imdecode(..., IMREAD_COLOR)` applies it to JPEGs (`ApplyExifOrientation`):
/// 2 mirrors left-right, 3 turns 180 degrees, 4 mirrors up-down, 5 transposes, 6 turns 90
/// degrees clockwise, 7 transposes across the other diagonal, 8 turns 90 degrees
/// counter-clockwise. 1, a missing tag and values outside 1...8 leave the image as stored.
public enum ExifOrientation {
    /// `image` as the orientation `tag` says it should be seen.
    public static func apply(_ tag: Int, to image: ImageU8) -> ImageU8 {
        switch tag {
        case 2: return image.flipped(.horizontal)
        case 3: return image.flipped(.diagonal)
        case 4: return image.flipped(.vertical)
        case 5...8: return transposed(image, tag: tag)
        default: return image
        }
    }

    /// The four orientations that swap width and height, in one pass: output pixel (y, x)
    /// reads source pixel (sy, sx) with the source's rows becoming the output's columns.
    static func transposed(_ image: ImageU8, tag: Int) -> ImageU8 {
        let h = image.width, w = image.height, cn = image.channels, srcW = image.width
        var out = [UInt8](repeating: 0, count: image.pixels.count)
        image.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<h {
                    // Output row y is source column sx; output column x is source row sy.
                    let sx = (tag == 5 || tag == 6) ? y : srcW - 1 - y
                    for x in 0..<w {
                        let sy = (tag == 5 || tag == 8) ? x : w - 1 - x
                        let s = (sy * srcW + sx) * cn, d = (y * w + x) * cn
                        for c in 0..<cn { dst[d + c] = src[s + c] }
                    }
                }
            }
        }
        return ImageU8(height: h, width: w, channels: cn, pixels: out)
    }
}
