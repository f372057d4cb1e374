/// The Engine module's version of the checkpoint format (written into every sidecar).
public enum EngineFormat {
    public static let checkpointVersion = 1
}
