import Evaluation
import Structures
import Testing

/// Results files read by simdjson equal json-c's reading, detection for detection (the reader
/// `CocoResults(text:groundTruth:)` uses json-c only when simdjson fails).
@Suite struct SimdJSONResultsTests {
    @Test(arguments: ["tiny", "edge", "quirks", "nobbox"]) func bothParsersReadTheSame(_ name: String) throws {
        let gt = try CocoIndex(contentsOf: Fixture.path("cocoeval/\(name)/gt.json"))
        let text = try JSONText(contentsOf: Fixture.path("cocoeval/\(name)/dt.json"))
        let fast = try CocoResults(text: text, groundTruth: gt, policy: .pycocotools, parser: SimdJSONParser.self)
        let located = try CocoResults(text: text, groundTruth: gt, policy: .pycocotools, parser: JSONElementParser.self)
        #expect(fast.detections.count > 0)
        #expect(fast.detections == located.detections)
    }
}
