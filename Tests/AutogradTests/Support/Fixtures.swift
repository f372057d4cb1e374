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

/// Checks values against a hand-computed list.
func expectValues(
    _ actual: Tensor, _ expected: [Float], shape: [Int]? = nil, atol: Float = 1e-5, _ what: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let e = Tensor(shape: shape ?? actual.shape, expected)
    expectClose(actual, e, rtol: 0, atol: atol, what, sourceLocation: sourceLocation)
}
