import ArgumentParser
import Autograd
import Engine
import Foundation

/// `bench checkpoint FILE.pth`: the time to read every tensor of a PyTorch checkpoint as
/// float32 (what loading it into a model does: open, parse, copy out), against the same
/// tensors from its safetensors copy (made with convert-checkpoint's conversion when
/// `--safetensors` names none), interleaved, medians over `--reps` rounds.
struct CheckpointBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint",
        abstract: "Read time of a .pth checkpoint against its safetensors copy.")

    @Argument(help: "A .pth checkpoint.")
    var file: String

    @Option(help: "Its safetensors copy (made in a temporary folder when absent).")
    var safetensors: String?

    @Option(help: "Timed rounds (after one untimed).")
    var reps = 5

    func run() throws {
        var copy = safetensors
        var temporary: String?
        if copy == nil {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bench-ckpt-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            temporary = dir
            copy = dir + "/copy.safetensors"
            try CheckpointConversion.convert(file, to: copy!)
        }
        defer { if let temporary { try? FileManager.default.removeItem(atPath: temporary) } }
        let pthBytes = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
        func readAll(_ archive: any TensorArchive) throws -> Int {
            try archive.names.reduce(0) { $0 + (try archive.indicesAsTensor($1).count) }
        }
        // One untimed read of each, where a bad file is a thrown error; the timed rounds
        // then read files known to be good.
        let count = try readAll(try PthFile(path: file))
        _ = try readAll(try SafetensorsFile(path: copy!))
        let times = Timing.interleavedMedians(reps: reps, warmup: 0, [
            { _ = try? readAll(try PthFile(path: file)) }, { _ = try? readAll(try SafetensorsFile(path: copy!)) },
        ])
        print("bench checkpoint: load \(Timing.loadAverage()); \(file): \(pthBytes / 1_000_000) MB, \(count) values")
        print(String(format: "read .pth          %8.1f ms", times[0] * 1000))
        print(String(format: "read .safetensors  %8.1f ms", times[1] * 1000))
        print(String(format: "ratio .pth / .safetensors: %.2fx", times[0] / times[1]))
    }
}
