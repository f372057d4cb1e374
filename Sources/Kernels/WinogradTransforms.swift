/// One tile size's transforms. Each applies its matrix to vectors: `count` values per vector,
/// input vector r at `src + r * srcStride`, output vector i at `dst + i * dstStride`.
protocol WinogradTransforms {
    /// Output block side m; the input tile is (m + 2) x (m + 2).
    static var m: Int { get }
    /// Bt (alpha x alpha), G (alpha x 3), At (m x alpha), alpha = m + 2.
    static var bt: [[Float]] { get }
    static var g: [[Float]] { get }
    static var at: [[Float]] { get }
    /// alpha outputs from alpha inputs: Bt.
    static func input(_ src: UnsafePointer<Float>, _ srcStride: Int, _ dst: UnsafeMutablePointer<Float>, _ dstStride: Int, _ count: Int)
    /// m outputs from alpha inputs: At, plus `bias`.
    static func output(_ src: UnsafePointer<Float>, _ srcStride: Int, _ dst: UnsafeMutablePointer<Float>, _ dstStride: Int, _ count: Int, bias: Float)
    /// alpha outputs from m inputs: A (the transpose of At).
    static func outputGradient(_ src: UnsafePointer<Float>, _ srcStride: Int, _ dst: UnsafeMutablePointer<Float>, _ dstStride: Int, _ count: Int)
    /// alpha outputs from 3 inputs: G.
    static func weight(_ src: UnsafePointer<Float>, _ srcStride: Int, _ dst: UnsafeMutablePointer<Float>, _ dstStride: Int, _ count: Int)
    /// 3 outputs from alpha inputs: Gt.
    static func weightGradient(_ src: UnsafePointer<Float>, _ srcStride: Int, _ dst: UnsafeMutablePointer<Float>, _ dstStride: Int, _ count: Int)
}

/// F(2x2, 3x3): interpolation points 0, 1, -1 and infinity.
enum WinogradF2: WinogradTransforms {
    static let m = 2
    static let bt: [[Float]] = [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]]
    static let g: [[Float]] = [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]]
    static let at: [[Float]] = [[1, 1, 1, 0], [0, 1, -1, -1]]

    @inline(__always)
    static func input(_ s: UnsafePointer<Float>, _ ss: Int, _ d: UnsafeMutablePointer<Float>, _ ds: Int, _ n: Int) {
        let s1 = s + ss, s2 = s + 2 * ss, s3 = s + 3 * ss
        let d1 = d + ds, d2 = d + 2 * ds, d3 = d + 3 * ds
        for q in 0..<n {
            let x0 = s[q], x1 = s1[q], x2 = s2[q], x3 = s3[q]
            d[q] = x0 - x2
            d1[q] = x1 + x2
            d2[q] = x2 - x1
            d3[q] = x1 - x3
        }
    }

    @inline(__always)
    static func output(_ s: UnsafePointer<Float>, _ ss: Int, _ d: UnsafeMutablePointer<Float>, _ ds: Int, _ n: Int, bias: Float) {
        let s1 = s + ss, s2 = s + 2 * ss, s3 = s + 3 * ss
        let d1 = d + ds
        for q in 0..<n {
            let x1 = s1[q], x2 = s2[q]
            d[q] = s[q] + x1 + x2 + bias
            d1[q] = x1 - x2 - s3[q] + bias
        }
    }

    @inline(__always)
    static func outputGradient(_ s: UnsafePointer<Float>, _ ss: Int, _ d: UnsafeMutablePointer<Float>, _ ds: Int, _ n: Int) {
        let s1 = s + ss
        let d1 = d + ds, d2 = d + 2 * ds, d3 = d + 3 * ds
        for q in 0..<n {
            let x0 = s[q], x1 = s1[q]
            d[q] = x0
            d1[q] = x0 + x1
            d2[q] = x0 - x1
            d3[q] = -x1
        }
    }

    @inline(__always)
    static func weight(_ s: UnsafePointer<Float>, _ ss: Int, _ d: UnsafeMutablePointer<Float>, _ ds: Int, _ n: Int) {
        let s1 = s + ss, s2 = s + 2 * ss
        let d1 = d + ds, d2 = d + 2 * ds, d3 = d + 3 * ds
        for q in 0..<n {
            let x0 = s[q], x1 = s1[q], x2 = s2[q]
            d[q] = x0
            d1[q] = 0.5 * (x0 + x1 + x2)
            d2[q] = 0.5 * (x0 - x1 + x2)
            d3[q] = x2
        }
    }

    @inline(__always)
    static func weightGradient(_ s: UnsafePointer<Float>, _ ss: Int, _ d: UnsafeMutablePointer<Float>, _ ds: Int, _ n: Int) {
        let s1 = s + ss, s2 = s + 2 * ss, s3 = s + 3 * ss
        let d1 = d + ds, d2 = d + 2 * ds
        for q in 0..<n {
            let x1 = s1[q], x2 = s2[q]
            d[q] = s[q] + 0.5 * (x1 + x2)
            d1[q] = 0.5 * (x1 - x2)
            d2[q] = 0.5 * (x1 + x2) + s3[q]
        }
    }
}

/// F(4x4, 3x3): interpolation points 0, 1, -1, 2, -2 and infinity (Lavin and Gray's matrices).
enum WinogradF4: WinogradTransforms {
    static let m = 4
    static let bt: [[Float]] = [
        [4, 0, -5, 0, 1, 0], [0, -4, -4, 1, 1, 0], [0, 4, -4, -1, 1, 0],
        [0, -2, -1, 2, 1, 0], [0, 2, -1, -2, 1, 0], [0, 4, 0, -5, 0, 1],
    ]
    static let g: [[Float]] = [
        [1.0 / 4, 0, 0], [-1.0 / 6, -1.0 / 6, -1.0 / 6], [-1.0 / 6, 1.0 / 6, -1.0 / 6],
        [1.0 / 24, 1.0 / 12, 1.0 / 6], [1.0 / 24, -1.0 / 12, 1.0 / 6], [0, 0, 1],
    ]
    static let at: [[Float]] = [[1, 1, 1, 1, 1, 0], [0, 1, -1, 2, -2, 0], [0, 1, 1, 4, 4, 0], [0, 1, -1, 8, -8, 1]]

    @inline(__always)
    static func input(_ s: UnsafePointer<Float>, _ ss: Int, _ d: UnsafeMutablePointer<Float>, _ ds: Int, _ n: Int) {
        let s1 = s + ss, s2 = s + 2 * ss, s3 = s + 3 * ss, s4 = s + 4 * ss, s5 = s + 5 * ss
        let d1 = d + ds, d2 = d + 2 * ds, d3 = d + 3 * ds, d4 = d + 4 * ds, d5 = d + 5 * ds
        for q in 0..<n {
            let x0 = s[q], x1 = s1[q], x2 = s2[q], x3 = s3[q], x4 = s4[q], x5 = s5[q]
            let a = x4 - 4 * x2, b = x3 - 4 * x1  // rows 1, 2: a +- b
            let c = x4 - x2, e = 2 * (x3 - x1)  // rows 3, 4: c +- e
            d[q] = 4 * x0 - 5 * x2 + x4
            d1[q] = a + b
            d2[q] = a - b
            d3[q] = c + e
            d4[q] = c - e
            d5[q] = 4 * x1 - 5 * x3 + x5
        }
    }

    @inline(__always)
    static func output(_ s: UnsafePointer<Float>, _ ss: Int, _ d: UnsafeMutablePointer<Float>, _ ds: Int, _ n: Int, bias: Float) {
        let s1 = s + ss, s2 = s + 2 * ss, s3 = s + 3 * ss, s4 = s + 4 * ss, s5 = s + 5 * ss
        let d1 = d + ds, d2 = d + 2 * ds, d3 = d + 3 * ds
        for q in 0..<n {
            let x1 = s1[q], x2 = s2[q], x3 = s3[q], x4 = s4[q]
            let p12 = x1 + x2, m12 = x1 - x2, p34 = x3 + x4, m34 = x3 - x4
            d[q] = s[q] + p12 + p34 + bias
            d1[q] = m12 + 2 * m34 + bias
            d2[q] = p12 + 4 * p34 + bias
            d3[q] = m12 + 8 * m34 + s5[q] + bias
        }
    }

    @inline(__always)
    static func outputGradient(_ s: UnsafePointer<Float>, _ ss: Int, _ d: UnsafeMutablePointer<Float>, _ ds: Int, _ n: Int) {
        let s1 = s + ss, s2 = s + 2 * ss, s3 = s + 3 * ss
        let d1 = d + ds, d2 = d + 2 * ds, d3 = d + 3 * ds, d4 = d + 4 * ds, d5 = d + 5 * ds
        for q in 0..<n {
            let x0 = s[q], x1 = s1[q], x2 = s2[q], x3 = s3[q]
            let even1 = x0 + x2, odd1 = x1 + x3, even2 = x0 + 4 * x2, odd2 = 2 * x1 + 8 * x3
            d[q] = x0
            d1[q] = even1 + odd1
            d2[q] = even1 - odd1
            d3[q] = even2 + odd2
            d4[q] = even2 - odd2
            d5[q] = x3
        }
    }

    @inline(__always)
    static func weight(_ s: UnsafePointer<Float>, _ ss: Int, _ d: UnsafeMutablePointer<Float>, _ ds: Int, _ n: Int) {
        let s1 = s + ss, s2 = s + 2 * ss
        let d1 = d + ds, d2 = d + 2 * ds, d3 = d + 3 * ds, d4 = d + 4 * ds, d5 = d + 5 * ds
        for q in 0..<n {
            let x0 = s[q], x1 = s1[q], x2 = s2[q]
            let outer = x0 + x2, far = x0 / 24 + x2 / 6
            d[q] = x0 / 4
            d1[q] = -(outer + x1) / 6
            d2[q] = -(outer - x1) / 6
            d3[q] = far + x1 / 12
            d4[q] = far - x1 / 12
            d5[q] = x2
        }
    }

    @inline(__always)
    static func weightGradient(_ s: UnsafePointer<Float>, _ ss: Int, _ d: UnsafeMutablePointer<Float>, _ ds: Int, _ n: Int) {
        let s1 = s + ss, s2 = s + 2 * ss, s3 = s + 3 * ss, s4 = s + 4 * ss, s5 = s + 5 * ss
        let d1 = d + ds, d2 = d + 2 * ds
        for q in 0..<n {
            let x1 = s1[q], x2 = s2[q], x3 = s3[q], x4 = s4[q]
            let p12 = x1 + x2, p34 = x3 + x4
            d[q] = s[q] / 4 - p12 / 6 + p34 / 24
            d1[q] = (x2 - x1) / 6 + (x3 - x4) / 12
            d2[q] = (p34 - p12) / 6 + s5[q]
        }
    }
}
