import Dispatch
import Foundation

/// Parses many spans of one `JSONText` on all cores: the spans are cut into ordered chunks,
/// each chunk parsed by its own `JSONElementParser`, and the results concatenated in order.
/// The error reported is the one of the earliest failing span.
public enum ParallelSpans {
    public static func map<T>(
        _ text: JSONText, _ spans: [Range<Int>],
        _ transform: (JSONValue, Int) throws -> T
    ) throws -> [T] {
        let chunkCount = spans.count < 2048
            ? 1 : min(spans.count / 1024, ProcessInfo.processInfo.activeProcessorCount * 8)
        let perChunk = (spans.count + chunkCount - 1) / chunkCount
        var results = [[T]](repeating: [], count: chunkCount)
        var failures = [(index: Int, error: Error)?](repeating: nil, count: chunkCount)
        withoutActuallyEscaping(transform) { transform in
            results.withUnsafeMutableBufferPointer { out in
                failures.withUnsafeMutableBufferPointer { failed in
                    let out = out, failed = failed
                    let work = { (chunk: Int) in
                        let parser = JSONElementParser(text)
                        let lower = chunk * perChunk, upper = min(spans.count, lower + perChunk)
                        var values: [T] = []
                        values.reserveCapacity(max(0, upper - lower))
                        var batch = lower
                        while batch < upper {
                            let end = min(upper, batch + 64)
                            var current = batch
                            do {
                                try parser.withElements(spans[batch..<end]) { value, index in
                                    current = index
                                    values.append(try transform(value, index))
                                }
                            } catch {
                                failed[chunk] = (current, error)
                                return
                            }
                            batch = end
                        }
                        out[chunk] = values
                    }
                    if chunkCount == 1 {
                        work(0)
                    } else {
                        DispatchQueue.concurrentPerform(iterations: chunkCount, execute: work)
                    }
                }
            }
        }
        if let first = failures.compactMap({ $0 }).min(by: { $0.index < $1.index }) { throw first.error }
        if chunkCount == 1 { return results[0] }
        var all: [T] = []
        all.reserveCapacity(spans.count)
        for chunk in results { all.append(contentsOf: chunk) }
        return all
    }
}
