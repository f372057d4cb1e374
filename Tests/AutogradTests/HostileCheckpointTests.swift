import Autograd
import Foundation
import Testing
import TestSupport

/// Checkpoints from a fuzzing round that trapped, overflowed the stack or allocated gigabytes
/// in the readers (Tests/Fixtures/pth/hostile, written by make_hostile_fixtures.py there):
/// each is now an error naming the file and what is wrong, thrown as the file is opened.
@Suite struct HostileCheckpointTests {
    static func message(_ file: String, _ open: (String) throws -> Void) throws -> String {
        let path = try TestFiles.fixture("pth/hostile/" + file)
        do {
            try open(path)
        } catch {
            let text = "\(error)"
            #expect(text.contains(path), "\(file): the error does not name the file: \(text)")
            return text
        }
        Issue.record("\(file) was read")
        return ""
    }

    @Test(arguments: [
        ("refill.pth", "a list filled after it was placed in another container"),
        ("stride0.pth", "into 140737488355328: at most 268435456"),
        ("zipsize.pth", "more than deflate can give"),
        ("stride0_many.pth", "repeat them into 402653184 elements in all: at most 268435456"),
    ])
    func pthRefused(_ file: String, _ phrase: String) throws {
        let text = try Self.message(file) { path in
            let f = try PthFile(path: path)
            for name in f.names { _ = try f.rawBytes(name) }
        }
        #expect(text.contains(phrase), "\(file): \(text)")
    }

    @Test(arguments: [
        ("st_negative.safetensors", "shape [-1]: expected dimensions from 0 to 2^31 - 1"),
        ("st_overflow.safetensors", "shape [4611686018427387904, 8]: expected dimensions"),
        ("st_hugedim.safetensors", "shape [0, 4611686018427387904, 8]: expected dimensions"),
    ])
    func safetensorsRefused(_ file: String, _ phrase: String) throws {
        let text = try Self.message(file) { path in _ = try SafetensorsFile(path: path) }
        #expect(text.contains(phrase), "\(file): \(text)")
    }

    /// The refill file's pattern 100,000 times (what overflowed the stack): refused at its
    /// second list, whatever follows.
    @Test func deepRefillChainIsRefusedAtOnce() throws {
        let chain = [UInt8]([0x80, 0x02, 0x8F, 0x28, 0x5D, 0x71, 0x01])
            + Array(repeating: [UInt8]([0x5D, 0x71, 0x00, 0x61, 0x65, 0x28, 0x68, 0x00]), count: 100_000).joined() + [0x65, 0x2E]
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("swiftdet-deep-\(getpid()).pth").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Self.zip(["archive/data.pkl": chain, "archive/version": Array("3\n".utf8)], to: path)
        #expect {
            _ = try PthFile(path: path)
        } throws: { "\($0)".contains("filled after it was placed") }
    }

    /// A zip of stored entries (CRCs included), enough for the reader.
    static func zip(_ entries: KeyValuePairs<String, [UInt8]>, to path: String) throws {
        func le(_ v: Int, _ n: Int) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
        var out: [UInt8] = [], central: [UInt8] = []
        for (name, data) in entries {
            let crc = Int(data.reduce(UInt32(0xFFFF_FFFF)) { c, b in
                var c = c ^ UInt32(b)
                for _ in 0..<8 { c = c & 1 == 1 ? (c >> 1) ^ 0xEDB8_8320 : c >> 1 }
                return c
            } ^ 0xFFFF_FFFF)
            let common = le(20, 2) + le(0, 2) + le(0, 2) + le(0, 4) + le(crc, 4) + le(data.count, 4) + le(data.count, 4)
                + le(name.utf8.count, 2) + le(0, 2)
            central += le(0x0201_4B50, 4) + le(20, 2) + common + le(0, 2) + le(0, 2) + le(0, 2) + le(0, 4) + le(out.count, 4) + Array(name.utf8)
            out += le(0x0403_4B50, 4) + common + Array(name.utf8) + data
        }
        let start = out.count
        out += central + le(0x0605_4B50, 4) + le(0, 4) + le(entries.count, 2) + le(entries.count, 2)
            + le(central.count, 4) + le(start, 4) + le(0, 2)
        try Data(out).write(to: URL(fileURLWithPath: path))
    }
}
