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
        var count = 0
        func readAll(_ open: @escaping () throws -> any TensorArchive) -> () -> Void {
            {
                do {
                    let archive = try open()
                    var n = 0
                    for name in archive.names { n += try archive.indicesAsTensor(name).count }
                    count = n
                } catch {
                    fatalError("bench checkpoint: \(error)")
                }
            }
        }
        let times = Timing.interleavedMedians(reps: reps, warmup: 1, [
            readAll { try PthFile(path: file) }, readAll { try SafetensorsFile(path: copy!) },
        ])
        print("bench checkpoint: load \(Timing.loadAverage()); \(file): \(pthBytes / 1_000_000) MB, \(count) values")
        print(String(format: "read .pth          %8.1f ms", times[0] * 1000))
        print(String(format: "read .safetensors  %8.1f ms", times[1] * 1000))
        print(String(format: "ratio .pth / .safetensors: %.2fx", times[0] / times[1]))
    }
}
