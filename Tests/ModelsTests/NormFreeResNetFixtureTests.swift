import Autograd
import Config
import Foundation
import Models
import NN
import Testing
import TestSupport

/// timm's NormFreeNet on its own weights and input (Tests/Fixtures/nf, timm 1.0.31): the four
/// stage outputs, the input gradient and every parameter gradient of
/// loss = sum_i sum(out_i * dout_i), and the state-dict keys in timm's order. The two shared
/// fixtures (nf_resnet50's structure, and grouped with skipinit) and four made here by
/// `make_nf_fixtures.py` (deep-quad stem, SiLU with gamma in the activation, extra conv;
/// 3x3 stem whose stage-0 shortcut average-pools odd sizes, width factor; deep stem with pool,
/// ch_div 4 and a group size not a multiple of it; deep-tiered stem with SiLU).
@Suite struct NormFreeResNetFixtureTests {
    struct Case: CustomStringConvertible, Sendable {
        let file: String
        let prefix: String
        var description: String { prefix.isEmpty ? file : prefix.dropLast() + "" }
    }

    static let cases = [
        Case(file: "tiny_nf_resnet50", prefix: ""), Case(file: "tiny_nf_resnext_skipinit", prefix: ""),
        Case(file: "nf_variants", prefix: "deep_quad_silu."), Case(file: "nf_variants", prefix: "stem3x3_width."),
        Case(file: "nf_variants", prefix: "deep_pool_groups."), Case(file: "nf_variants", prefix: "deep_tiered_silu."),
    ]

    /// The backbone from timm's own config fields (the shared fixtures' `nf.json`, the metadata
    /// of the variants), and timm's state-dict keys.
    static func model(_ c: Case, _ f: SafetensorsFile) throws -> (NormFreeResNet, [String]) {
        let view: ConfigView
        if c.prefix.isEmpty {
            let path = try TestFiles.fixture("nf/nf.json")
            let dict = try ConfigDict(jsonText: String(contentsOfFile: path, encoding: .utf8), name: path)
            view = try ConfigView(dict: dict, source: path).view("cases").view(c.file)
        } else {
            let name = String(c.prefix.dropLast())
            view = ConfigView(dict: try ConfigDict(jsonText: try #require(f.metadata[name]), name: name), source: name)
        }
        let net = try NormFreeResNet(config: try view.view("cfg").building("NormFreeResNet"))
        return (net, try view.strings("state_dict_keys"))
    }

    /// timm's state-dict keys of one of the shared cases, in order.
    static func timmKeys(_ file: String) throws -> [String] {
        let path = try TestFiles.fixture("nf/nf.json")
        let dict = try ConfigDict(jsonText: String(contentsOfFile: path, encoding: .utf8), name: path)
        return try ConfigView(dict: dict, source: path).view("cases").view(file).strings("state_dict_keys")
    }

    @Test(arguments: cases)
    func outputsGradientsAndKeysMatchTimm(_ c: Case) throws {
        let f = try SafetensorsFile(path: TestFiles.fixture("nf/\(c.file).safetensors"))
        let (net, keys) = try Self.model(c, f)
        #expect(net.stateDict().map(\.key) == keys, "keys and their order")
        let report = try net.loadStateDict(from: f, prefix: c.prefix + "param.", strict: false)
        #expect(report.missing.isEmpty && report.shapeMismatches.isEmpty, "\(report.missing) \(report.shapeMismatches)")
        net.train(true)
        let x = try f.tensor(c.prefix + "input")
        x.requiresGrad = true
        let outs = net(x)
        #expect(outs.count == 4)
        var loss: Tensor? = nil
        for (i, out) in outs.enumerated() {
            expectRelative(out, try f.tensor(c.prefix + "out.\(i)"), "\(c) out.\(i)")
            let term = (out * (try f.tensor(c.prefix + "dout.\(i)"))).sum()
            loss = loss.map { $0 + term } ?? term
        }
        try #require(loss).backward()
        expectRelative(try #require(x.grad), try f.tensor(c.prefix + "grad.input"), "\(c) grad.input")
        for (key, p) in net.namedParameters() {
            expectRelative(try #require(p.grad, "\(key) has no gradient"), try f.tensor(c.prefix + "grad.\(key)"), "\(c) grad.\(key)")
        }
    }
}

/// ||a - e|| / ||e|| <= rtol over the whole tensor (shapes equal).
///
/// Why 1e-4: the longest float32 reductions here are the gain gradients (a skipinit gain's is
/// one sum over N * C * H * W = 24,576 products in stage 1) and the convs' K <= 1,152-term dot
/// products, chained over some 50 layers forward and back. A float32 sum of n terms with
/// rounding errors of random sign is off by about sqrt(n) u = 9e-6 of its magnitude
/// (u = 2^-24); measured worst with three BLAS kernels: 7.0e-6 (Cooperlake), 7.8e-6 (Haswell),
/// 1.1e-5 (Prescott), every output and input gradient below 1.1e-6. 1e-4 is ten times that,
/// and far below what a wrong detail gives (the std_conv eps alone moves the weights of a
/// 1,152-input conv by 0.6%, the unbiased variance a 1x1 conv of 16 inputs by 3%).
func expectRelative(_ a: Tensor, _ e: Tensor, rtol: Double = 1e-4, _ what: String,
                    sourceLocation: SourceLocation = #_sourceLocation) {
    guard a.shape == e.shape else {
        Issue.record("\(what): shape \(a.shape), expected \(e.shape)", sourceLocation: sourceLocation)
        return
    }
    let (av, ev) = (a.scalars, e.scalars)
    var num = 0.0, den = 0.0
    for i in av.indices {
        let d = Double(av[i]) - Double(ev[i])
        num += d * d
        den += Double(ev[i]) * Double(ev[i])
    }
    let rel = (num / max(den, .leastNonzeroMagnitude)).squareRoot()
    if !(rel <= rtol) {
        Issue.record("\(what): relative L2 error \(rel) > \(rtol)", sourceLocation: sourceLocation)
    }
}
