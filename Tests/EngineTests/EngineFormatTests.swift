import Engine
import Testing

@Suite struct EngineFormatTests {
    @Test func checkpointVersionIsOne() { #expect(EngineFormat.checkpointVersion == 1) }
}
