import Foundation
import Testing
import TestSupport

/// `test --launcher mpi` against `test` in one process (the same results file and COCO numbers,
/// bit for bit, also when the set's size is odd and the last share is padded), and jobs in
/// which one process fails: every process stops within seconds, with the reason.
@Suite(.serialized) struct DataParallelTestTests {
    static let config = DataParallelTrainTests.config

    /// A checkpoint of the test model after one training step.
    static func checkpoint(in dir: String) throws -> String {
        let run = try Jobs.run("train", [config, "--work-dir", dir, "--cfg-options", "train_cfg.max_epochs=1", "val_cfg=None"], ranks: nil)
        #expect(run.status == 0, "\(run.output)")
        return "\(dir)/epoch_1.json"
    }

    /// The `coco/...` numbers the test loop wrote to the work dir's scalars.json.
    static func metrics(_ workDir: String) throws -> [String: Double] {
        let run = try FileManager.default.contentsOfDirectory(atPath: workDir).filter { $0.hasPrefix("2") }
        #expect(run.count == 1, "one run directory (rank 0's) in \(workDir): \(run)")
        let text = try String(contentsOfFile: "\(workDir)/\(run.first ?? "")/vis_data/scalars.json", encoding: .utf8)
        let last = text.split(separator: "\n").last { $0.contains("coco/bbox_mAP") } ?? ""
        let values = (try? JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any]) ?? [:]
        return values.filter { $0.key.hasPrefix("coco/") }.compactMapValues { $0 as? Double }
    }

    @Test(arguments: [("val", 4), ("train", 5)])
    func twoProcessesGiveTheResultsOfOne(split: String, images: Int) throws {
        let dir = Jobs.temporaryFolder("dp-test")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let checkpoint = try Self.checkpoint(in: dir + "/train")
        let ann = "annotations/instances_\(split).json"
        let options = ["--cfg-options", "test_dataloader.dataset.ann_file=\(ann)", "test_dataloader.dataset.indices=\(images)",
                       "test_evaluator.ann_file=data/fruits_nuts/\(ann)", "model.test_cfg.rcnn.score_thr=0.0"]
        // One thread per process in both runs: some BLAS kernels (OpenBLAS's Haswell) round a
        // product differently with 1 and 2 threads, in one process as much as in two.
        let threads = ["OPENBLAS_NUM_THREADS": "1"]
        let one = try Jobs.run("test", [Self.config, checkpoint, "--work-dir", dir + "/one", "--out", dir + "/one.json",
                                        "--show-dir", dir + "/show-one"] + options, ranks: nil, extraEnvironment: threads)
        #expect(one.status == 0, "\(one.output)")
        let two = try Jobs.run("test", [Self.config, checkpoint, "--work-dir", dir + "/two", "--out", dir + "/two.json",
                                        "--show-dir", dir + "/show-two", "--launcher", "mpi"] + options, ranks: 2, extraEnvironment: threads)
        #expect(two.status == 0, "\(two.output)")
        guard one.status == 0, two.status == 0 else { return }
        let a = try Data(contentsOf: URL(fileURLWithPath: dir + "/one.json"))
        let b = try Data(contentsOf: URL(fileURLWithPath: dir + "/two.json"))
        #expect(a == b, "the results files differ")
        let records = try JSONSerialization.jsonObject(with: a) as? [[String: Any]] ?? []
        #expect(Set(records.compactMap { $0["image_id"] as? Int }).count == images, "every image has detections")
        let (m1, m2) = (try Self.metrics(dir + "/one"), try Self.metrics(dir + "/two"))
        #expect(m1.count == 6 && m1 == m2, "\(m1) vs \(m2)")
        // Each image drawn once (the padding's repeat is not), by the process that predicted it.
        let shown = try FileManager.default.contentsOfDirectory(atPath: dir + "/show-two").sorted()
        #expect(shown == (try FileManager.default.contentsOfDirectory(atPath: dir + "/show-one").sorted()) && shown.count == images)
    }

    @Test func aProcessThatCannotStartEndsTheJob() throws {
        let dir = Jobs.temporaryFolder("dp-fail")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let args = [Self.config, "--work-dir", dir, "--launcher", "mpi", "--cfg-options", "train_dataloader.batch_size=1"]
        let job = try Jobs.runEach([("train", args), ("train", args + ["train_dataloader.dataset.ann_file=annotations/missing.json"])],
                                   limit: 60)
        #expect(job.status > 0, "\(job.output)")
        #expect(job.seconds < 30)
        #expect(job.output.contains("missing.json"), "\(job.output)")
    }

    @Test func aNonFiniteLossOnOneProcessStopsEveryProcessAtThatIteration() throws {
        let dir = Jobs.temporaryFolder("dp-nan")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let args = [Self.config, "--work-dir", dir, "--launcher", "mpi", "--cfg-options", "train_dataloader.batch_size=1"]
        // Rank 1 weighs its classification loss by 3e38: the loss overflows Float at the first step.
        let job = try Jobs.runEach([("train", args), ("train", args + ["model.roi_head.bbox_head.loss_cls.loss_weight=3e38"])],
                                   limit: 60)
        #expect(job.status > 0, "\(job.output)")
        #expect(job.seconds < 30)
        let stops = job.output.components(separatedBy: "non-finite loss at epoch 1, iteration 1/1").count - 1
        #expect(stops == 2, "both processes stop at the first iteration: \(job.output)")
        #expect(job.output.contains("a non-finite loss on another process"), "\(job.output)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/epoch_1.json"))
    }

    /// With GN, and with SyncBN (whose statistics are a collective inside the forward).
    @Test(arguments: [config, "Tests/Fixtures/dist/faster-rcnn_tiny_syncbn_fruits.py"])
    func aProcessWhoseSamplesAreAllSkippedMakesEveryProcessSkipTheStep(config: String) throws {
        let dir = Jobs.temporaryFolder("dp-skip")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Rank 1 reads truncated copies of the photos (on_bad_sample='skip'): each of its
        // batches comes out empty, and both processes skip each step instead of waiting.
        let broken = dir + "/images"
        try FileManager.default.createDirectory(atPath: broken, withIntermediateDirectories: true)
        let images = TestFiles.packageRoot.appendingPathComponent("data/fruits_nuts/images").path
        for name in try FileManager.default.contentsOfDirectory(atPath: images) {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: images + "/" + name))
            try bytes.prefix(100).write(to: URL(fileURLWithPath: broken + "/" + name))
        }
        let args = [config, "--work-dir", dir + "/work", "--launcher", "mpi", "--cfg-options", "train_dataloader.batch_size=1",
                    "val_cfg=None", "train_dataloader.dataset.on_bad_sample=skip"]
        let job = try Jobs.runEach([("train", args), ("train", args + ["train_dataloader.dataset.data_prefix.img=\(broken)/"])], limit: 60)
        #expect(job.status == 0, "\(job.output)")
        #expect(job.output.components(separatedBy: "skipped: a process of the job had no sample left in its batch").count - 1 == 3)
        #expect(job.output.contains("warning: [process 1 of 2] skipping sample"), "\(job.output)")
    }

    @Test func processesWithUnequalSharesAreAnErrorNotAHang() throws {
        let dir = Jobs.temporaryFolder("dp-unequal")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // 3 images without padding: 2 steps on rank 0, 1 on rank 1.
        let job = try Jobs.run("train", [Self.config, "--work-dir", dir, "--launcher", "mpi", "--cfg-options", "train_dataloader.batch_size=1",
                                         "train_dataloader.dataset.indices=3", "train_dataloader.sampler.round_up=False"], ranks: 2, limit: 60)
        #expect(job.status > 0 && job.seconds < 30, "\(job.output)")
        #expect(job.output.contains("the processes have between 1 and 2 batches in epoch 1"), "\(job.output)")
    }
}
