import Config
import Engine
import Testing

/// A config's `param_scheduler` from Python text.
func schedulerConfig(_ text: String) throws -> ConfigView {
    try ConfigLoader(environment: [:]).load(text: text, file: "schedule.py")
}

let warmup = "dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=500)"
func multiStep(_ milestones: [Int], end: Int) -> String {
    "dict(type='MultiStepLR', begin=0, end=\(end), by_epoch=True, milestones=\(milestones), gamma=0.1)"
}

/// Relative closeness for the hand-derived closed forms (the recursion rounds differently).
func close(_ a: Double, _ b: Double, _ tol: Double = 1e-12) -> Bool { abs(a - b) <= tol * abs(b) }

@Suite struct LRScheduleTests {
    static let L = 7330  // iterations per epoch (COCO train2017 after filtering at batch 16)

    /// Hand derivation (reference §4): LinearLR is chained; at iteration i < 500 its factor is
    /// start + (1 - start) * i / (end - begin - 1) = 0.001 + 0.999 * i / 499, so
    ///   i=0: 0.02 * 0.001 = 2e-5
    ///   i=1: 0.02 * (0.001 + 0.999/499) = 0.02 * 0.003002004008... = 6.004008016e-5
    ///   i=250: 0.02 * (0.001 + 0.999*250/499) = 0.02 * 0.501501002004 = 0.01003002004008
    ///   i=498: 0.02 * (0.001 + 0.999*498/499) = 0.02 * 0.997997995992 = 0.01995995991984
    ///   i>=499: 0.02 (factor 1; the window ends at 500).
    /// MultiStepLR steps after each epoch; after epoch m (1-based count) in milestones the lr
    /// is x0.1: 1x has 0.02 for epochs 0-7, 0.002 for 8-10, 0.0002 for 11 (0-based), so
    /// iteration 8*L-1 = 58639 is the last at 0.02 and 58640 the first at 0.002.
    /// The exact values are mmengine 0.10.7's own (its param_scheduler.py run through the
    /// EpochBasedTrainLoop / ParamSchedulerHook order in Python); the recursion rounds, so
    /// e.g. the warmed-up lr is 0.019999999999999952, not 0.02. They must match bit for bit.
    static func check(_ milestones: [Int], epochs: Int, exact: [Int: Double]) throws {
        let cfg = try schedulerConfig("param_scheduler = [\(warmup), \(multiStep(milestones, end: epochs))]")
        let schedule = try LRSchedule(config: cfg, epochLength: L, maxEpochs: epochs, baseLR: 0.02)
        let table = schedule.table(epochs * L)
        for (i, v) in exact { #expect(table[i] == v, "iteration \(i): \(table[i]) != mmengine's \(v)") }
        // Closed forms of the derivation above.
        for i in [0, 1, 250, 498] { #expect(close(table[i], 0.02 * (0.001 + 0.999 * Double(i) / 499))) }
        let (m1, m2) = (milestones[0], milestones[1])
        for i in [499, 500, L - 1, m1 * L - 1] { #expect(close(table[i], 0.02), "iteration \(i)") }
        for i in [m1 * L, m2 * L - 1] { #expect(close(table[i], 0.002), "iteration \(i)") }
        for i in [m2 * L, epochs * L - 1] { #expect(close(table[i], 0.0002), "iteration \(i)") }
        // Piecewise constant between the boundaries.
        #expect(Set(table[499..<(m1 * L)]).count == 1)
        #expect(Set(table[(m1 * L)..<(m2 * L)]).count == 1)
        #expect(Set(table[(m2 * L)...]).count == 1)
    }

    static let warmupExact: [Int: Double] = [
        0: 2e-05, 1: 6.004008016032065e-05, 250: 0.010030020040080153, 498: 0.01995995991983963,
        499: 0.019999999999999952, 500: 0.019999999999999952, 7329: 0.019999999999999952,
    ]

    @Test func schedule1x() throws {
        try Self.check([8, 11], epochs: 12, exact: Self.warmupExact.merging([
            51309: 0.019999999999999952, 58639: 0.019999999999999952, 58640: 0.0019999999999999953,
            73299: 0.0019999999999999953, 80629: 0.0019999999999999953, 80630: 0.00019999999999999955,
            87959: 0.00019999999999999955,
        ]) { $1 })
    }

    @Test func schedule2x() throws {
        try Self.check([16, 22], epochs: 24, exact: Self.warmupExact.merging([
            117279: 0.019999999999999952, 117280: 0.0019999999999999953, 161259: 0.0019999999999999953,
            161260: 0.00019999999999999955, 175919: 0.00019999999999999955,
        ]) { $1 })
    }

    @Test func schedule20_23_24e() throws {
        try Self.check([20, 23], epochs: 24, exact: Self.warmupExact.merging([
            146599: 0.019999999999999952, 146600: 0.0019999999999999953, 168589: 0.0019999999999999953,
            168590: 0.00019999999999999955, 175919: 0.00019999999999999955,
        ]) { $1 })
    }

    /// The stateful form stepped as the training loop steps it gives the same table, and
    /// `lr(epoch:iterationInEpoch:)` agrees.
    @Test func steppingAgreesWithTable() throws {
        let L = 7, epochs = 5
        let cfg = try schedulerConfig("param_scheduler = [dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=10), \(multiStep([2, 4], end: epochs))]")
        let schedule = try LRSchedule(config: cfg, epochLength: L, maxEpochs: epochs, baseLR: 0.5)
        var lrs = [0.5, 0.05]  // two groups (e.g. paramwise lr_mult 0.1)
        var s = try LRScheduler(config: cfg, epochLength: L, maxEpochs: epochs, values: &lrs)
        #expect(s.baseValues == [0.5, 0.05])
        #expect(lrs == [0.05, 0.005000000000000001])  // mmengine's values after construction
        let table = schedule.table(L * epochs)
        for e in 0..<epochs {
            for i in 0..<L {
                #expect(lrs[0] == table[e * L + i])
                #expect(lrs[0] == schedule.lr(epoch: e, iterationInEpoch: i))
                #expect(close(lrs[1], lrs[0] * 0.1))
                s.afterTrainIter(&lrs)
            }
            s.afterTrainEpoch(&lrs)
        }
    }

    /// Windows, convert_to_iter_based, default ends, ConstantLR and CosineAnnealingLR, against
    /// mmengine 0.10.7's values (same Python harness) at L = 10, 6 epochs, lr 1.0.
    @Test func otherSchedulersMatchMMEngine() throws {
        func table(_ list: String) throws -> [Double] {
            let cfg = try schedulerConfig("param_scheduler = [\(list)]")
            return try LRSchedule(config: cfg, epochLength: 10, maxEpochs: 6, baseLR: 1.0).table(60)
        }
        // LinearLR per epoch from 0.5 over epochs 1..<4 (begin 1), converted to iterations.
        let linear = try table("dict(type='LinearLR', start_factor=0.5, begin=1, end=4, convert_to_iter_based=True)")
        #expect(Array(linear[8...12]) == [1.0, 1.0, 0.5, 0.5172413793103449, 0.5344827586206897])
        #expect(linear[39] == 0.9999999999999993 && linear[59] == 0.9999999999999993)
        // ConstantLR 0.25 over epochs 0..<3 restores the lr at end - 1 (epoch 2); a repeated
        // milestone counts twice (0.5 ** 2), and an explicit INF end.
        let constant = try table("dict(type='ConstantLR', factor=0.25, end=3), dict(type='MultiStepLR', milestones=[4, 4], gamma=0.5, end=1000000000)")
        #expect([constant[0], constant[19], constant[20], constant[39], constant[40], constant[59]] == [0.25, 0.25, 1.0, 1.0, 0.25, 0.25])
        let cosine = try table("dict(type='CosineAnnealingLR', T_max=5, eta_min=0.1, begin=1, by_epoch=True)")
        #expect([cosine[5], cosine[15], cosine[25], cosine[35], cosine[45], cosine[55]]
            == [1.0, 1.0, 0.9140576474687263, 0.6890576474687263, 0.41094235253127365, 0.1859423525312737])
        let cosine2 = try table("dict(type='CosineAnnealingLR', eta_min_ratio=0.1, by_epoch=False, begin=5, end=25)")
        #expect([cosine2[0], cosine2[5], cosine2[6], cosine2[15], cosine2[24], cosine2[25], cosine2[59]]
            == [1.0, 1.0, 0.994459753267812, 0.5500000000000002, 0.10554024673218806, 0.10554024673218806, 0.10554024673218806])
    }

    @Test func autoScaleLR() throws {
        let cfg = try schedulerConfig("auto_scale_lr = dict(enable=False, base_batch_size=16)")
        var a = try AutoScaleLR(config: try cfg.view("auto_scale_lr"))
        #expect(a.ratio(realBatchSize: 2) == nil)
        a.enable = true  // train --auto-scale-lr
        #expect(a.ratio(realBatchSize: 2) == 0.125)
        #expect(0.02 * a.ratio(realBatchSize: 4)! == 0.005)
    }

    @Test func configErrorsNameTheKey() throws {
        func error(_ entry: String) -> String {
            do {
                let cfg = try schedulerConfig("param_scheduler = [\(entry)]")
                _ = try LRSchedule(config: cfg, epochLength: 10, maxEpochs: 12, baseLR: 0.02)
                return ""
            } catch { return "\(error)" }
        }
        #expect(error("dict(type='StepLR', step_size=3)").contains("param_scheduler[0]: unknown PARAM_SCHEDULERS type 'StepLR' (SwiftDet has LinearLR, MultiStepLR, ConstantLR, CosineAnnealingLR)"))
        #expect(error("dict(type='MultiStepLR', milestones=[8], gama=0.1)").contains("unknown key 'gama'"))
        #expect(error("dict(type='LinearLR', start_factor=2.0)").contains("start_factor"))
        // A factor the chained update divides by: 0 made the lr NaN, and the checkpoint's JSON failed.
        #expect(error("dict(type='LinearLR', start_factor=0.0, by_epoch=False, end=100)").contains("start_factor: 0.0 is not allowed"))
        #expect(error("dict(type='ConstantLR', factor=0)").contains("factor: 0.0 is not allowed"))
        #expect(error("dict(type='LinearLR', begin=5, end=5)").contains("end"))
        #expect(error("dict(type='LinearLR', by_epoch=False, convert_to_iter_based=True)").contains("convert_to_iter_based"))
    }
}
