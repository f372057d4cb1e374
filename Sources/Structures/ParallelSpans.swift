import Dispatch
import Foundation

/// Parses many spans of one `JSONText` on all cores: the spans are cut into ordered chunks,
/// each chunk parsed by its own parser (simdjson's `SimdJSONParser` or json-c's
/// `JSONElementParser`, a batch of elements per call), and the results kept in order. The
/// error reported is the one of the earliest failing span.
public enum ParallelSpans {
    /// One value per span, in span order.
    public static func map<Parser: JSONBatchParser, T>(
        _ parser: Parser.Type, _ text: JSONText, _ spans: [Range<Int>],
        _ transform: (Parser.Value, Int) throws -> T
    ) throws -> [T] {
        let chunks = try fold(parser, text, spans, initial: { [T]() }) { values, value, index in
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
    public static func fold<Parser: JSONBatchParser, State>(
        _ parser: Parser.Type, _ text: JSONText, _ spans: [Range<Int>], initial: () -> State,
        _ body: (inout State, Parser.Value, Int) throws -> Void
    ) throws -> [State] {
        try chunked(count: spans.count, initial: initial) { state, range in
            let parser = Parser(text)
            var batch = range.lowerBound
            while batch < range.upperBound {
                let end = min(range.upperBound, batch + Parser.batchSize)
                try parser.withElements(spans[batch..<end]) { value, index in try body(&state, value, index) }
                batch = end
            }
        }
    }

    /// Items `0..<count` cut into ordered chunks of consecutive items, processed on all cores:
    /// `body` builds one state per chunk from its range. A chunk stops at its first error; the
    /// error thrown is the one of the earliest failing chunk (so of the earliest failing item).
    public static func chunked<State>(
        count: Int, initial: () -> State, _ body: (inout State, Range<Int>) throws -> Void
    ) throws -> [State] {
        let chunkCount = count < 2048 ? 1 : min(count / 1024, ProcessInfo.processInfo.activeProcessorCount * 8)
        let perChunk = (count + chunkCount - 1) / chunkCount
        var states = (0..<chunkCount).map { _ in initial() }
        var failures = [Error?](repeating: nil, count: chunkCount)
        withoutActuallyEscaping(body) { body in
            states.withUnsafeMutableBufferPointer { out in
                failures.withUnsafeMutableBufferPointer { failed in
                    let out = out, failed = failed
                    let work = { (chunk: Int) in
                        let lower = chunk * perChunk, upper = min(count, lower + perChunk)
                        do { try body(&out[chunk], lower..<upper) } catch { failed[chunk] = error }
                    }
                    if chunkCount == 1 {
                        work(0)
                    } else {
                        DispatchQueue.concurrentPerform(iterations: chunkCount, execute: work)
                    }
                }
            }
        }
        if let first = failures.first(where: { $0 != nil }) { throw first! }
        return states
    }
}
