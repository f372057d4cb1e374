import Config
import Kernels
import Structures

/// mmdetection's `RandomFlip`: with probability `prob` (split evenly over the directions, or
/// one probability per direction) flips the image, boxes and masks; sets `flip` and
/// `flip_direction` (nil when not flipped). Draws exactly one uniform number per sample.
public struct RandomFlip: Transform {
    public let directions: [FlipDirection]
    /// One probability per direction.
    public let probabilities: [Double]

    public init(prob: Double, direction: FlipDirection = .horizontal) {
        self.init(probabilities: [prob], directions: [direction])
    }

    public init(probabilities: [Double], directions: [FlipDirection]) {
        checkInvariant(probabilities.count == directions.count, "RandomFlip: one probability per direction")
        self.probabilities = probabilities
        self.directions = directions
    }

    public init(config c: ConfigView) throws {
        try c.accept(["prob", "direction", "swap_seg_labels"])
        let names: [String] = try c.value("direction")?.stringValue.map { [$0] } ?? c.strings("direction", default: ["horizontal"])
        let dirs = try names.map { name -> FlipDirection in
            guard let d = FlipDirection(rawValue: name) else {
                throw c.error("direction", "unknown flip direction '\(name)' (horizontal, vertical, diagonal)")
            }
            return d
        }
        let probs: [Double]
        if c.value("prob")?.elements != nil {
            probs = try c.doubles("prob")
            guard probs.count == dirs.count else { throw c.error("prob", "\(probs.count) probabilities for \(dirs.count) directions") }
        } else {
            let p = try c.double("prob")
            probs = [Double](repeating: p / Double(dirs.count), count: dirs.count)
        }
        let total = probs.reduce(0, +)
        guard probs.allSatisfy({ $0 >= 0 }), total <= 1 + 1e-9 else {
            throw c.error("prob", "probabilities must be >= 0 and sum to at most 1, got \(probs)")
        }
        if c.value("swap_seg_labels").map({ !$0.isNone }) ?? false { throw c.error("swap_seg_labels", "segmentation maps are not supported") }
        self.init(probabilities: probs, directions: dirs)
    }

    /// The direction drawn for one sample, nil for no flip.
    public func choose(_ rng: inout SeededGenerator) -> FlipDirection? {
        let u = Double(rng.nextUniform())
        var acc = 0.0
        for (p, d) in zip(probabilities, directions) {
            acc += p
            if u < acc { return d }
        }
        return nil
    }

    public func apply(_ results: inout PipelineResults, rng: inout SeededGenerator) throws {
        guard let direction = choose(&rng) else {
            results.flip = false
            results.flipDirection = nil
            return
        }
        results.flip = true
        results.flipDirection = direction
        guard let img = results.img else { throw DatasetError.pipeline("RandomFlip needs an image (LoadImageFromFile first)") }
        results.img = img.flipped(direction)
        results.gtBboxes = results.gtBboxes?.flipped(direction, height: img.height, width: img.width)
        switch results.gtMasks {
        case .bitmap(let m): results.gtMasks = .bitmap(m.flipped(direction))
        case .polygon(let m): results.gtMasks = .polygon(m.flipped(direction))
        case nil: break
        }
    }
}
