import Kernels
import Testing

@Suite struct StridedLayoutTests {
    @Test func mergesContiguousDimsAndKeepsBroadcastOnes() {
        // (2, 3, 4, 5) + (1, 3, 1, 1): channels broadcast; H and W merge.
        let l = StridedLayout(outShape: [2, 3, 4, 5], operands: [[2, 3, 4, 5], [1, 3, 1, 1]])
        #expect(l.shape == [2, 3, 20])
        #expect(l.strides[0] == [60, 20, 1])
        #expect(l.strides[1] == [0, 1, 0])
    }

    @Test func sameShapeCollapsesToOneDim() {
        let l = StridedLayout(outShape: [2, 3, 4], operands: [[2, 3, 4], [2, 3, 4]])
        #expect(l.shape == [24])
        #expect(l.rowOffsets(0) == [0, 0])
    }

    @Test func reduceSumOverBroadcastAxes() {
        let x: [Float] = (0..<24).map(Float.init)  // (2, 3, 4)
        var out = [Float](repeating: -1, count: 3)
        x.withUnsafeBufferPointer { xp in
            out.withUnsafeMutableBufferPointer { op in
                Reduce.sum(xp.baseAddress!, shape: [2, 3, 4], reduce: [true, false, true], out: op.baseAddress!)
            }
        }
        // channel c sums 12n + 4c + w over n in 0..<2, w in 0..<4: 8*4c + 4*12 + 2*6.
        let expected: [Float] = [60, 92, 124]
        #expect(out == expected)
    }
}
