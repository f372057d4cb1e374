import Kernels

/// The generator of one image's random draws in a training step: the image's own when its
/// sample carries a `drawSeed` (one stream per stage, so that the RPN's and the R-CNN's draws
/// differ), else the detector's shared generator. With per-image seeds a batch split between
/// processes draws exactly what the whole batch draws in one process.
public enum ImageDraws {
    /// The stream of the RPN's anchor sampling and of the R-CNN's RoI sampling.
    public static let rpnStream: UInt64 = 0x5250_4E00
    public static let rcnnStream: UInt64 = 0x5243_4E4E

    public static func with<T>(seed: UInt64?, stream: UInt64, shared: inout SeededGenerator,
                               _ body: (inout SeededGenerator) -> T) -> T {
        guard let seed else { return body(&shared) }
        var own = SeededGenerator(seed: seed ^ stream)
        return body(&own)
    }
}
