import Autograd
import Foundation
import Kernels

/// Weight initializers with PyTorch/mmcv semantics (`torch.nn.init`, mmcv's kaiming_init,
/// xavier_init, normal_init, constant_init), drawing from an explicitly passed generator.
public enum Init {
    /// PyTorch's fan-in and fan-out of a weight: dim 1 and dim 0 times the receptive field.
    public static func fans(_ shape: [Int]) -> (fanIn: Int, fanOut: Int) {
        checkInvariant(shape.count >= 2, "Init.fans: weight of shape \(shape) needs >= 2 dims")
        let receptive = shape.dropFirst(2).reduce(1, *)
        return (shape[1] * receptive, shape[0] * receptive)
    }

    /// Gain of `torch.nn.init.calculate_gain` for relu / leaky_relu(a) / linear.
    public static func gain(_ nonlinearity: String, a: Double = 0) -> Double {
        switch nonlinearity {
        case "relu": return 2.0.squareRoot()
        case "leaky_relu": return (2.0 / (1 + a * a)).squareRoot()
        case "tanh": return 5.0 / 3
        default: return 1  // linear, conv*, sigmoid
        }
    }

    public enum Mode { case fanIn, fanOut }

    /// kaiming_normal_ / kaiming_uniform_: std = gain / sqrt(fan).
    public static func kaiming(
        _ t: Tensor, a: Double = 0, mode: Mode = .fanOut, nonlinearity: String = "relu",
        uniform: Bool = false, using rng: inout SeededGenerator
    ) {
        let f = fans(t.shape)
        let std = gain(nonlinearity, a: a) / Double(max(mode == .fanIn ? f.fanIn : f.fanOut, 1)).squareRoot()
        if uniform { fillUniform(t, bound: Float(3.0.squareRoot() * std), using: &rng) } else { fillNormal(t, mean: 0, std: Float(std), using: &rng) }
    }

    /// xavier_normal_ / xavier_uniform_: std = gain * sqrt(2 / (fan_in + fan_out)).
    public static func xavier(_ t: Tensor, gain g: Double = 1, uniform: Bool = false, using rng: inout SeededGenerator) {
        let f = fans(t.shape)
        let std = g * (2.0 / Double(max(f.fanIn + f.fanOut, 1))).squareRoot()
        if uniform { fillUniform(t, bound: Float(3.0.squareRoot() * std), using: &rng) } else { fillNormal(t, mean: 0, std: Float(std), using: &rng) }
    }

    public static func fillNormal(_ t: Tensor, mean: Float, std: Float, using rng: inout SeededGenerator) {
        t.update { b in for i in b.indices { b[i] = mean + std * rng.nextNormal() } }
    }

    /// Uniform in [-bound, bound).
    public static func fillUniform(_ t: Tensor, bound: Float, using rng: inout SeededGenerator) {
        t.update { b in for i in b.indices { b[i] = -bound + 2 * bound * rng.nextUniform() } }
    }

    public static func fill(_ t: Tensor, _ value: Float) {
        t.update { b in b.update(repeating: value) }
    }

    /// PyTorch's default for Conv*/Linear (`reset_parameters`): kaiming_uniform(a = sqrt 5) on
    /// the weight, i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and the same bound for the bias.
    public static func pytorchDefault(weight: Tensor, bias: Tensor?, using rng: inout SeededGenerator) {
        let bound = 1 / Float(max(fans(weight.shape).fanIn, 1)).squareRoot()
        fillUniform(weight, bound: bound, using: &rng)
        if let bias { fillUniform(bias, bound: bound, using: &rng) }
    }
}
