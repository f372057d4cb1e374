import Autograd
import Foundation
import Testing
import TestSupport

/// Reference fixtures from Tests/Fixtures. A missing
/// fixture is a test failure with the path in the message, never a silent skip.
enum Fixtures {
    static func ops(_ file: String) throws -> SafetensorsFile {
        try SafetensorsFile(path: TestFiles.fixture("ops/\(file)"))
    }
}

/// Checks |a - e| <= atol + rtol * |e| elementwise and equal shapes, reporting the worst element.
func expectClose(
    _ actual: Tensor, _ expected: Tensor, rtol: Float = 1e-5, atol: Float = 1e-6,
    _ what: String, sourceLocation: SourceLocation = #_sourceLocation
) {
    guard actual.shape == expected.shape else {
        Issue.record("\(what): shape \(actual.shape) != expected \(expected.shape)", sourceLocation: sourceLocation)
        return
    }
    let a = actual.scalars, e = expected.scalars
    var worst = 0, worstExcess: Float = -1
    for i in 0..<a.count {
        let nanMismatch = a[i].isNaN != e[i].isNaN
        let excess = nanMismatch ? Float.infinity : Swift.abs(a[i] - e[i]) - (atol + rtol * Swift.abs(e[i]))
        if excess > worstExcess { worstExcess = excess; worst = i }
    }
    if worstExcess > 0 {
        Issue.record(
            "\(what): element \(worst) is \(a[worst]), expected \(e[worst]) (rtol \(rtol), atol \(atol))",
            sourceLocation: sourceLocation)
    }
}

/// Checks a result that is a sum of `terms` products against a reference computed in another
/// order, by float32's worst-case accumulation bound (Higham, Accuracy and Stability of
/// Numerical Algorithms, 3.1): any order gives |fl(s) - s| <= gamma(n) * sum |terms|, with
/// gamma(n) = n u / (1 - n u), u = 2^-24. Both results meet it, so they differ by at most twice
/// that, plus the final rounding of each: |a - e| <= 2 gamma(terms + 8) * magnitude + 2 u |e|,
/// `magnitude` holding each element's sum of |terms| (8 more terms of slack for the few
/// roundings around the sum). Holds for every correct BLAS kernel and thread split.
func expectWithinSumBound(
    _ actual: Tensor, _ expected: Tensor, magnitude: Tensor, terms: Int, _ what: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    guard actual.shape == expected.shape, magnitude.shape == expected.shape else {
        Issue.record("\(what): shapes \(actual.shape), \(expected.shape), magnitude \(magnitude.shape)", sourceLocation: sourceLocation)
        return
    }
    let u = 0x1p-24, n = Double(terms + 8)
    let gamma = n * u / (1 - n * u)
    let (a, e, m) = (actual.scalars, expected.scalars, magnitude.scalars)
    var worst = 0, worstRatio = 0.0
    for i in 0..<a.count {
        let bound = 2 * gamma * Double(m[i]) + 2 * u * Swift.abs(Double(e[i]))
        let gap = Swift.abs(Double(a[i]) - Double(e[i]))
        let ratio = a[i] == e[i] ? 0 : (gap.isFinite && bound.isFinite ? gap / max(bound, .leastNonzeroMagnitude) : .infinity)
        if ratio > worstRatio { worstRatio = ratio; worst = i }
    }
    if worstRatio > 1 {
        let message = "\(what): element \(worst) is \(a[worst]), expected \(e[worst]); the gap is \(worstRatio)x "
            + "the float32 bound for \(terms) terms of magnitude \(m[worst])"
        Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
    }
}

/// Checks values against a hand-computed list.
func expectValues(
    _ actual: Tensor, _ expected: [Float], shape: [Int]? = nil, atol: Float = 1e-5, _ what: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let e = Tensor(shape: shape ?? actual.shape, expected)
    expectClose(actual, e, rtol: 0, atol: atol, what, sourceLocation: sourceLocation)
}
