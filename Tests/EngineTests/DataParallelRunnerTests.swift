import Config
import Distributed
import Engine
import Foundation
import NN
import Testing
import TestSupport

/// The Runner's set-up for a job of several processes, without MPI: a communicator that says
/// it is rank 0 of 2 and whose collectives leave the values as they are.
@Suite struct DataParallelRunnerTests {
    final class PretendJob: Communicator {
        var rank: Int { 0 }
        var size: Int { 2 }
        func barrier() throws {}
        func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>) throws {}
        func allReduceSum(_ values: UnsafeMutableBufferPointer<Double>) throws {}
        func allReduceMax(_ values: UnsafeMutableBufferPointer<Double>) throws {}
        func broadcast(_ values: UnsafeMutableBufferPointer<Float>, root: Int) throws {}
        func broadcast(_ bytes: [UInt8], root: Int) throws -> [UInt8] { bytes }
        func gather(_ bytes: [UInt8], root: Int) throws -> [[UInt8]]? { [bytes, []] }
        func abort(code: Int32) -> Never { fatalError("abort \(code)") }
    }

    func runner(_ text: String) throws -> Runner {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dp-runner-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/config.py"
        try ("_base_ = '\(RunnerTests.demo)'\n" + text).write(toFile: path, atomically: true, encoding: .utf8)
        var options = RunOptions()
        options.echo = false
        options.communicator = PretendJob()
        return try Runner(config: try ConfigFile.load(path), configPath: path, options: options, logToFiles: false)
    }

    /// A head can skip its layers on one process (the mask head without positive RoIs): a
    /// synchronized norm there would leave the other processes waiting.
    @Test func synchronizedNormsInAHeadAreRefused() throws {
        #expect {
            _ = try runner("model = dict(roi_head=dict(mask_head=dict(norm_cfg=dict(_delete_=True, type='SyncBN'))))")
        } throws: { "\($0)".contains("model.roi_head.mask_head.convs.0.bn: synchronized norms") }
        #expect(throws: Never.self) {
            _ = try runner("model = dict(backbone=dict(norm_cfg=dict(_delete_=True, type='SyncBN')))")
        }
        // mmcv's MMSyncBN weighs every process equally by default; SwiftDet by value counts ('N').
        #expect {
            _ = try runner("model = dict(backbone=dict(norm_cfg=dict(_delete_=True, type='MMSyncBN')))")
        } throws: { "\($0)".contains("stats_mode") && "\($0)".contains("only 'N' is supported") }
        #expect(throws: Never.self) {
            _ = try runner("model = dict(backbone=dict(norm_cfg=dict(_delete_=True, type='MMSyncBN', stats_mode='N')))")
        }
    }

    /// sync_bn='torch' synchronizes the backbone's and the neck's BN; a head's BN stays per process.
    @Test func syncBNConvertsTheBackboneAndNeck() throws {
        let r = try runner("""
            sync_bn = 'torch'
            model = dict(backbone=dict(norm_cfg=dict(_delete_=True, type='BN')),
                         roi_head=dict(mask_head=dict(norm_cfg=dict(_delete_=True, type='BN'))))
            """)
        let norms = r.model.namedModules().compactMap { name, m in (m as? SynchronizableNorm).map { (name, $0.reducer != nil) } }
        #expect(!norms.isEmpty)
        for (name, attached) in norms {
            #expect(attached == name.hasPrefix("backbone"), "\(name)")
        }
    }
}
