import Dispatch
import Foundation

/// Parses many spans of one `JSONText` on all cores: the spans are cut into ordered chunks,
/// each chunk parsed by its own `JSONElementParser` (64 elements per json-c call), and the
/// results kept in order. The error reported is the one of the earliest failing span.
public enum ParallelSpans {
    /// One value per span, in span order.
    public static func map<T>(
        _ text: JSONText, _ spans: [Range<Int>],
        _ transform: (JSONValue, Int) throws -> T
    ) throws -> [T] {
        let chunks = try fold(text, spans, initial: { [T]() }) { values, value, index in
            values.append(try transform(value, index))
        }
        if chunks.count == 1 { return chunks[0] }
        var all: [T] = []
        all.reserveCapacity(spans.count)
        for chunk in chunks { all.append(contentsOf: chunk) }
        return all
    }

    /// One state per chunk of consecutive spans, in order, each built by `body` from its
    /// spans in order (lets a reader keep one growing buffer per chunk instead of one small
    /// allocation per element).
    public static func fold<State>(
        _ text: JSONText, _ spans: [Range<Int>], initial: () -> State,
        _ body: (inout State, JSONValue, Int) throws -> Void
    ) throws -> [State] {
        let chunkCount = spans.count < 2048
            ? 1 : min(spans.count / 1024, ProcessInfo.processInfo.activeProcessorCount * 8)
        let perChunk = (spans.count + chunkCount - 1) / chunkCount
        var states = (0..<chunkCount).map { _ in initial() }
        var failures = [(index: Int, error: Error)?](repeating: nil, count: chunkCount)
        withoutActuallyEscaping(body) { body in
            states.withUnsafeMutableBufferPointer { out in
                failures.withUnsafeMutableBufferPointer { failed in
                    let out = out, failed = failed
                    let work = { (chunk: Int) in
                        let parser = JSONElementParser(text)
                        let lower = chunk * perChunk, upper = min(spans.count, lower + perChunk)
                        var batch = lower
                        while batch < upper {
                            let end = min(upper, batch + 64)
                            var current = batch
                            do {
                                try parser.withElements(spans[batch..<end]) { value, index in
                                    current = index
                                    try body(&out[chunk], value, index)
                                }
                            } catch {
                                failed[chunk] = (current, error)
                                return
                            }
                            batch = end
                        }
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
        return states
    }
}
