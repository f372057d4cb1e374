import Foundation

/// A small, fast, seedable pseudo-random generator (xoshiro256**, seeded through SplitMix64).
/// SwiftDet has no global RNG: every random draw takes one of these explicitly.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Equatable, Codable {
    public private(set) var state: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64) {
        var sm = seed
        func splitmix() -> UInt64 {
            sm &+= 0x9E37_79B9_7F4A_7C15
            var z = sm
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (splitmix(), splitmix(), splitmix(), splitmix())
    }

    public mutating func next() -> UInt64 {
        let result = rotl(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotl(state.3, 45)
        return result
    }

    @inline(__always) private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }

    /// Uniform Float in [0, 1) with 24 random bits.
    public mutating func nextUniform() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// Standard normal sample (Box-Muller, using both uniforms fresh each call).
    public mutating func nextNormal() -> Float {
        var u1 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        if u1 < 1e-300 { u1 = 1e-300 }
        let u2 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        return Float((-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2))
    }

    public static func == (a: SeededGenerator, b: SeededGenerator) -> Bool {
        a.state == b.state
    }

    enum CodingKeys: String, CodingKey { case state }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let s = try c.decode([UInt64].self, forKey: .state)
        guard s.count == 4 else {
            throw DecodingError.dataCorruptedError(
                forKey: .state, in: c, debugDescription: "expected 4 state words, got \(s.count)")
        }
        state = (s[0], s[1], s[2], s[3])
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode([state.0, state.1, state.2, state.3], forKey: .state)
    }
}
