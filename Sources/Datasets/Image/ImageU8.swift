import Structures
import Kernels

/// An 8-bit image in interleaved HWC layout, as mmcv keeps one in a numpy array: a decoded
/// photo is 3 channels in BGR order (OpenCV's), a mask or a gray image 1 channel.
public struct ImageU8: Sendable, Equatable {
    public let height: Int
    public let width: Int
    public let channels: Int
    /// `height * width * channels` bytes, row-major, channels interleaved.
    public var pixels: [UInt8]

    public init(height: Int, width: Int, channels: Int, pixels: [UInt8]) {
        checkInvariant(height >= 0 && width >= 0 && channels > 0, "ImageU8: bad size \(height)x\(width)x\(channels)")
        checkInvariant(pixels.count == height * width * channels,
                     "ImageU8: \(pixels.count) bytes for \(height)x\(width)x\(channels)")
        self.height = height
        self.width = width
        self.channels = channels
        self.pixels = pixels
    }

    /// A zero-filled image.
    public init(height: Int, width: Int, channels: Int) {
        self.init(height: height, width: width, channels: channels,
                  pixels: [UInt8](repeating: 0, count: height * width * channels))
    }

    /// (height, width), the order mmdetection's `img_shape` uses.
    public var shape: (height: Int, width: Int) { (height, width) }

    /// The pixel value at row `y`, column `x`, channel `c`.
    public subscript(y: Int, x: Int, c: Int) -> UInt8 {
        pixels[(y * width + x) * channels + c]
    }

    /// The image mirrored left-right (mmcv `imflip(direction='horizontal')`), up-down
    /// ('vertical') or both ('diagonal').
    public func flipped(_ direction: FlipDirection) -> ImageU8 {
        var out = [UInt8](repeating: 0, count: pixels.count)
        let rowBytes = width * channels
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<height {
                    let sy = direction.flipsRows ? height - 1 - y : y
                    let s = src.baseAddress! + sy * rowBytes, d = dst.baseAddress! + y * rowBytes
                    if !direction.flipsColumns {
                        d.update(from: s, count: rowBytes)
                        continue
                    }
                    if channels == 3 {
                        for x in 0..<width {
                            let o = 3 * x, i = 3 * (width - 1 - x)
                            d[o] = s[i]; d[o + 1] = s[i + 1]; d[o + 2] = s[i + 2]
                        }
                        continue
                    }
                    for x in 0..<width {
                        let sx = width - 1 - x
                        for c in 0..<channels { d[x * channels + c] = s[sx * channels + c] }
                    }
                }
            }
        }
        return ImageU8(height: height, width: width, channels: channels, pixels: out)
    }
}
