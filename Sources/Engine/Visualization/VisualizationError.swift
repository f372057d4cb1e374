/// What can go wrong when writing images or reading logs for plots; each case names the file
/// (or key) and what was expected.
public enum VisualizationError: Error, Equatable, CustomStringConvertible {
    /// The output path's extension names no format we write.
    case unsupportedFormat(path: String)
    /// The encoder refused the image.
    case encodingFailed(path: String, reason: String)
    /// The file could not be written.
    case writeFailed(path: String, reason: String)
    /// The file could not be read.
    case unreadable(path: String, reason: String)
    /// Line `line` (1-based) of a JSON-lines file is not a JSON object.
    case malformedLine(path: String, line: Int, reason: String)
    /// A requested key occurs in no line of the given files.
    case unknownKey(key: String, files: [String], available: [String])
    /// Nothing to plot, or a plot request that cannot be drawn.
    case invalidPlot(reason: String)
    /// A log that cannot be analysed (no training line, a value of the wrong kind).
    case invalidLog(path: String, reason: String)

    public var description: String {
        switch self {
        case .unsupportedFormat(let path):
            return "\(path): unsupported image format; the extension must be .jpg, .jpeg or .png"
        case .encodingFailed(let path, let reason):
            return "\(path): cannot encode the image: \(reason)"
        case .writeFailed(let path, let reason):
            return "\(path): cannot write: \(reason)"
        case .unreadable(let path, let reason):
            return "\(path): cannot read: \(reason)"
        case .malformedLine(let path, let line, let reason):
            return "\(path):\(line): not a JSON object: \(reason)"
        case .unknownKey(let key, let files, let available):
            return "key '\(key)' is in no line of \(files.joined(separator: ", ")); keys present: "
                + (available.isEmpty ? "(none)" : available.joined(separator: ", "))
        case .invalidPlot(let reason):
            return "cannot plot: \(reason)"
        case .invalidLog(let path, let reason):
            return "\(path): cannot analyse the log: \(reason)"
        }
    }
}
