import Distributed
import Evaluation
import Foundation
import Structures

/// Evaluation over the processes of a job, as mmengine's `collect_results` and the metric
/// broadcast do it, without a shared folder: each process holds the detection records of its
/// share of the test set, keyed by each sample's position in the epoch's order; rank 0 gathers
/// them (MPI_Gatherv of bytes), puts them in position order, drops the padding's repeats
/// (positions past the data set's size) and evaluates once; the metrics go back to every rank,
/// so that every process takes the same best-checkpoint decision.
public enum ResultExchange {
    /// One sample's records and its position in the epoch.
    public typealias Part = (position: Int, records: [DetectionRecord])

    /// All parts on rank 0, in position order without repeats (nil on the other ranks).
    public static func gather(_ parts: [Part], count: Int, over comm: any Communicator) throws -> [DetectionRecord]? {
        guard comm.size > 1 else { return merge(parts, count: count) }
        guard let all = try comm.gather(encode(parts), root: 0) else { return nil }
        var merged: [Part] = []
        for (rank, bytes) in all.enumerated() {
            var reader = ByteReader(bytes: bytes, origin: "the results of rank \(rank)")
            merged += try decode(&reader)
        }
        return merge(merged, count: count)
    }

    /// The records in position order (each sample's in their own order), repeats dropped.
    static func merge(_ parts: [Part], count: Int) -> [DetectionRecord] {
        var seen = Set<Int>()
        return parts.filter { $0.position < count && seen.insert($0.position).inserted }
            .sorted { $0.position < $1.position }.flatMap(\.records)
    }

    /// Rank 0's metrics on every rank, bit for bit.
    public static func broadcast(_ metrics: [(String, Double)], over comm: any Communicator) throws -> [(String, Double)] {
        guard comm.size > 1 else { return metrics }
        var writer = ByteWriter()
        writer.int(metrics.count)
        for (name, value) in metrics {
            writer.string(name)
            writer.double(value)
        }
        let bytes = try comm.broadcast(comm.isMain ? writer.bytes : [], root: 0)
        var reader = ByteReader(bytes: bytes, origin: "the metrics of rank 0")
        return try (0..<reader.count(atMost: bytes.count)).map { _ in (try reader.string(), try reader.double()) }
    }

    /// Rank 0's seed on every rank (mmengine's `sync_random_seed`).
    public static func rootSeed(_ seed: UInt64, over comm: any Communicator) throws -> UInt64 {
        var writer = ByteWriter()
        writer.int(Int(Int64(bitPattern: seed)))
        var reader = ByteReader(bytes: try comm.broadcast(writer.bytes, root: 0), origin: "the seed of rank 0")
        return UInt64(bitPattern: Int64(try reader.int()))
    }

    static func encode(_ parts: [Part]) -> [UInt8] {
        var w = ByteWriter()
        w.int(parts.count)
        for part in parts {
            w.int(part.position)
            w.int(part.records.count)
            for r in part.records {
                w.int(r.imageId)
                w.int(r.categoryId)
                for v in [r.bbox.x, r.bbox.y, r.bbox.w, r.bbox.h, r.score] { w.double(v) }
                if let m = r.mask {
                    w.int(1)
                    w.int(m.height)
                    w.int(m.width)
                    w.int(m.counts.count)
                    for c in m.counts { w.uint32(c) }
                } else {
                    w.int(0)
                }
            }
        }
        return w.bytes
    }

    static func decode(_ r: inout ByteReader) throws -> [Part] {
        let limit = r.bytes.count
        return try (0..<r.count(atMost: limit)).map { _ in
            let position = try r.int()
            let records = try (0..<r.count(atMost: limit)).map { _ -> DetectionRecord in
                let imageId = try r.int(), categoryId = try r.int()
                let box = XYWH(try r.double(), try r.double(), try r.double(), try r.double())
                let score = try r.double()
                var mask: RLE?
                if try r.int() == 1 {
                    let h = try r.int(), w = try r.int()
                    let counts = try (0..<r.count(atMost: limit)).map { _ in try r.uint32() }
                    mask = RLE(height: h, width: w, counts: counts)
                }
                return DetectionRecord(imageId: imageId, categoryId: categoryId, bbox: box, score: score, mask: mask)
            }
            return (position, records)
        }
    }
}

/// Little-endian 64-bit fields (32-bit for RLE run lengths, the bulk of mask results).
struct ByteWriter {
    var bytes: [UInt8] = []
    mutating func int(_ v: Int) { append(UInt64(bitPattern: Int64(v))) }
    mutating func uint32(_ v: UInt32) { append(UInt64(v), width: 4) }
    mutating func double(_ v: Double) { append(v.bitPattern) }
    mutating func string(_ s: String) {
        int(s.utf8.count)
        bytes += Array(s.utf8)
    }
    private mutating func append(_ v: UInt64, width: Int = 8) {
        for k in 0..<width { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * k))) }
    }
}

/// Reads what `ByteWriter` wrote; a short or malformed message is an error naming its origin.
struct ByteReader {
    let bytes: [UInt8]
    let origin: String
    private var offset = 0

    init(bytes: [UInt8], origin: String) {
        self.bytes = bytes
        self.origin = origin
    }

    /// The next `width` bytes as a little-endian number.
    private mutating func little(_ width: Int) throws -> UInt64 {
        guard offset + width <= bytes.count else { throw DistributedError("\(origin): the message ends at byte \(offset)") }
        var v: UInt64 = 0
        for k in 0..<width { v |= UInt64(bytes[offset + k]) << (8 * k) }
        offset += width
        return v
    }

    mutating func int() throws -> Int { Int(Int64(bitPattern: try little(8))) }
    mutating func double() throws -> Double { Double(bitPattern: try little(8)) }
    mutating func uint32() throws -> UInt32 { UInt32(try little(4)) }

    /// A count of items, each at least one byte long (so never more than the message holds).
    mutating func count(atMost limit: Int) throws -> Int {
        let n = try int()
        guard n >= 0 && n <= limit else { throw DistributedError("\(origin): a count of \(n) at byte \(offset - 8)") }
        return n
    }

    mutating func string() throws -> String {
        let n = try count(atMost: bytes.count - offset)
        defer { offset += n }
        return String(decoding: bytes[offset..<(offset + n)], as: UTF8.self)
    }
}
