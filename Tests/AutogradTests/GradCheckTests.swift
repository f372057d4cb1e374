import Autograd
import Testing

/// Every op in `OpKind` has at least one central-difference gradient check. An op added to the
/// enumeration without a case fails here.
@Suite struct GradCheckTests {
    @Test(arguments: OpKind.allCases)
    func gradientMatchesCentralDifferences(op: OpKind) {
        let cases = GradCases.all[op] ?? []
        #expect(!cases.isEmpty, "\(op) has no gradient-check case: add one in Tests/AutogradTests/GradCases")
        for c in cases { GradCheck.run(c, op: op) }
    }
}

/// Cases per op, merged from one table per op family (Tests/AutogradTests/GradCases/*.swift).
enum GradCases {
    static var all: [OpKind: [GradCase]] {
        var table: [OpKind: [GradCase]] = [:]
        for family in [elementwise, reductions, products, shapes, indexing, convolution, losses, normalization, detection] {
            table.merge(family) { $0 + $1 }
        }
        return table
    }
}
