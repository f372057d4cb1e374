import ArgumentParser
import Config
import Distributed
import Foundation
import Models

/// `bench allreduce [--config C] [--ranks N] [--repeats R]`: the in-place all-reduce (sum) of
/// one gradient of the config's detector (its trainable parameters as Float32; Faster R-CNN
/// R50-FPN by default, about 166 MB) across N processes of this machine, over shared memory
/// (Open MPI's vader) and over TCP on loopback (the path between machines). Run plainly, it
/// starts itself under `mpirun.openmpi -np N` once per transport and prints both.
struct AllReduceBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "allreduce",
        abstract: "All-reduce time of a detector's gradient over shared memory and TCP loopback (Open MPI).")

    @Option(help: "Config whose trainable parameters make the gradient.")
    var config = "configs/faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py"

    @Option(help: "Processes.")
    var ranks = 2

    @Option(help: "Timed all-reduces after one warm-up.")
    var repeats = 5

    func validate() throws {
        guard (2...64).contains(ranks), (1...100).contains(repeats) else { throw ValidationError("--ranks 2...64, --repeats 1...100") }
    }

    func run() throws {
        if ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_SIZE"] != nil { return try measure() }
        let elements = try Self.gradientElements(config)
        print(String(format: "gradient: %d Float32 (%.1f MB) of %@, %d ranks", elements, Double(elements * 4) / 1e6, config, ranks))
        for (name, transport) in [("shared memory (vader)", ["OMPI_MCA_btl": "self,vader"]),
                                  ("TCP on loopback", ["OMPI_MCA_btl": "self,tcp", "OMPI_MCA_btl_tcp_if_include": "lo"])] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/mpirun.openmpi")
            process.arguments = ["-np", "\(ranks)", "--bind-to", "none", CommandLine.arguments[0], "allreduce", "--config", config,
                                 "--ranks", "\(ranks)", "--repeats", "\(repeats)"]
            var env = ProcessInfo.processInfo.environment.merging(transport) { $1 }
            env["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
            env["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
            env["OMPI_MCA_rmaps_base_oversubscribe"] = "1"
            process.environment = env
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw ValidationError("mpirun (\(name)) ended with status \(process.terminationStatus)") }
            for line in output.split(separator: "\n") where line.hasPrefix("allreduce") { print("\(name): \(line)") }
        }
    }

    /// The trainable parameter count of the config's model (its gradient's length).
    static func gradientElements(_ config: String) throws -> Int {
        let view = try ConfigLoader().load(file: config, options: ["model.backbone.init_cfg=None"])
        let model = try ModelRegistry.detectors.build(try view.view("model"))
        return model.namedParameters().filter { $0.1.requiresGrad }.reduce(0) { $0 + $1.1.count }
    }

    /// Under mpirun: every rank all-reduces the gradient; rank 0 prints the times.
    func measure() throws {
        let comm = try MPICommunicator()
        let elements = try Self.gradientElements(config)
        var gradient = [Float](repeating: Float(comm.rank + 1) * 1e-3, count: elements)
        var times: [Double] = []
        for i in 0...repeats {
            try comm.barrier()
            let start = DispatchTime.now().uptimeNanoseconds
            try comm.allReduceSum(&gradient)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            if i > 0 { times.append(seconds) }
        }
        let best = times.min()!, mean = times.reduce(0, +) / Double(times.count)
        let bytes = Double(elements * 4), n = Double(comm.size)
        if comm.rank == 0 {
            // Bus bandwidth as NCCL's tests define it: 2 (n - 1) / n of the buffer crosses each link.
            print(String(format: "allreduce-ms: %.1f (best %.1f of %d), algorithm %.2f GB/s, bus %.2f GB/s", mean * 1e3, best * 1e3,
                         times.count, bytes / best / 1e9, bytes / best / 1e9 * 2 * (n - 1) / n))
        }
        MPICommunicator.finalize()
    }
}
