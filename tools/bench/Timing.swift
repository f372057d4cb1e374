import Foundation
import Kernels

/// Wall-clock timing helpers shared by the benchmarks.
enum Timing {
    /// Median seconds of each body over `reps` rounds, after `warmup` untimed rounds. A round
    /// runs every body once, in order, so that a change of machine load (other people's builds)
    /// hits every measurement alike and their ratios stay meaningful.
    static func interleavedMedians(reps: Int, warmup: Int, _ bodies: [() -> Void]) -> [Double] {
        for _ in 0..<warmup { for body in bodies { body() } }
        var times = [[Double]](repeating: [], count: bodies.count)
        for _ in 0..<max(1, reps) {
            for (i, body) in bodies.enumerated() {
                let start = DispatchTime.now().uptimeNanoseconds
                body()
                times[i].append(Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
            }
        }
        return times.map(median)
    }

    static func median(_ values: [Double]) -> Double {
        let v = values.sorted()
        let mid = v.count / 2
        return v.count % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2
    }

    /// The system load averages (1, 5, 15 minutes), to judge whether numbers are noisy.
    static func loadAverage() -> String {
        var loads = [Double](repeating: 0, count: 3)
        let n = getloadavg(&loads, 3)
        return n == 3 ? String(format: "%.2f %.2f %.2f", loads[0], loads[1], loads[2]) : "unknown"
    }
}

/// A float buffer filled with a cheap deterministic pattern in [-1, 1] (no denormals, no NaN).
/// Allocated like tensor storage (huge pages when large), so that raw BLAS references see the
/// same TLB behaviour as our ops.
final class BenchBuffer {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    init(_ count: Int, seed: Int = 0) {
        self.count = count
        pointer = LargePages.allocate(byteCount: max(count, 1) * MemoryLayout<Float>.stride)
            .bindMemory(to: Float.self, capacity: max(count, 1))
        for i in 0..<count { pointer[i] = Float((i &* 7919 &+ seed &* 104_729) % 2001 - 1000) * 1e-3 }
    }

    deinit { LargePages.deallocate(UnsafeMutableRawPointer(pointer), byteCount: max(count, 1) * MemoryLayout<Float>.stride) }
}
