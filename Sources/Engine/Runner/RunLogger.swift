import Foundation

/// mmengine's logging of a run: timestamped text lines on stdout and in
/// `<work_dir>/<timestamp>/<timestamp>.log`, JSON lines in
/// `<work_dir>/<timestamp>/vis_data/scalars.json` (LocalVisBackend), and, on a terminal, a
/// progress bar with the ETA redrawn between the interval lines.
public final class RunLogger {
    public let runDir: String?
    public let scalarsPath: String?
    private var logFile: FileHandle?
    private var scalarsFile: FileHandle?
    private let terminal: Bool
    private var barShown = false
    public let echo: Bool

    /// `workDir` nil: stdout only (no files).
    public init(workDir: String?, timestamp: String = RunLogger.timestamp(), echo: Bool = true) throws {
        self.echo = echo
        terminal = isatty(STDOUT_FILENO) != 0
        guard let workDir else { runDir = nil; scalarsPath = nil; return }
        let dir = workDir + "/" + timestamp
        let vis = dir + "/vis_data"
        do {
            try FileManager.default.createDirectory(atPath: vis, withIntermediateDirectories: true)
        } catch {
            throw RunnerError("cannot create the work dir \(dir): \(error.localizedDescription)")
        }
        runDir = dir
        scalarsPath = vis + "/scalars.json"
        logFile = try Self.open(dir + "/" + timestamp + ".log")
        scalarsFile = try Self.open(vis + "/scalars.json")
    }

    private static func open(_ path: String) throws -> FileHandle {
        guard FileManager.default.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) else {
            throw RunnerError("cannot create \(path)")
        }
        return h
    }

    deinit {
        try? logFile?.close()
        try? scalarsFile?.close()
    }

    /// `20261122_101500`, the run directory name mmengine uses.
    public static func timestamp(_ date: Date = Date()) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "yyyyMMdd_HHmmss"
        return f.string(from: date)
    }

    /// One INFO line: `11/22 10:15:00 - swiftdet - INFO - <message>`.
    public func info(_ message: String) {
        for line in stamped("INFO", message) { write(line) }
    }

    /// The error that ends a run, as an ERROR line in the log file (the tool prints it on
    /// standard error), so that the run's log says how it ended.
    public func error(_ message: String) {
        for line in stamped("ERROR", message) { logFile?.write(Data((line + "\n").utf8)) }
    }

    /// `MM/dd HH:mm:ss - swiftdet - LEVEL - ` before each line of `message`.
    private func stamped(_ level: String, _ message: String) -> [String] {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "MM/dd HH:mm:ss"
        let stamp = f.string(from: Date())
        return message.split(separator: "\n", omittingEmptySubsequences: false).map { "\(stamp) - swiftdet - \(level) - \($0)" }
    }

    /// A line without the prefix (summaries, tables), as pycocotools prints them.
    public func plain(_ message: String) { write(message) }

    private func write(_ line: String) {
        clearBar()
        if echo { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
        logFile?.write(Data((line + "\n").utf8))
    }

    /// Appends one record to scalars.json (numbers at full precision, keys in the given order).
    public func scalars(_ values: [(String, Double)]) {
        guard let scalarsFile else { return }
        let body = values.map { "\"\($0.0)\": \(Self.json($0.1))" }.joined(separator: ", ")
        scalarsFile.write(Data(("{" + body + "}\n").utf8))
    }

    static func json(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "Infinity" : "-Infinity" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)"
    }

    /// On a terminal: `[#####.....] 12/50  0.8 s/it  eta 0:00:30` on one redrawn line.
    public func progress(done: Int, total: Int, secondsPerIter: Double, eta: Double) {
        guard terminal, echo, total > 0 else { return }
        let width = 30
        let filled = min(width, done * width / total)
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let text = "[\(bar)] \(done)/\(total)  \(String(format: "%.2f", secondsPerIter)) s/it  eta \(Self.duration(eta))"
        FileHandle.standardOutput.write(Data(("\r" + text + "\u{1B}[K").utf8))
        barShown = true
    }

    private func clearBar() {
        guard barShown else { return }
        FileHandle.standardOutput.write(Data("\r\u{1B}[K".utf8))
        barShown = false
    }

    /// mmengine's eta format: `0:01:05`, `1 day, 2:03:04`.
    public static func duration(_ seconds: Double) -> String {
        // NaN, negative and past a million years (a resumed log window of a damaged file) as 0
        // and that bound: an ETA, never a trap
        let s = seconds.isFinite ? Int(min(max(0, seconds), 3.2e13).rounded()) : 0
        let days = s / 86400, h = (s % 86400) / 3600, m = (s % 3600) / 60, sec = s % 60
        let clock = String(format: "%d:%02d:%02d", h, m, sec)
        return days > 0 ? "\(days) day\(days == 1 ? "" : "s"), \(clock)" : clock
    }

    /// Peak resident memory of this process in MB (getrusage; the CPU counterpart of
    /// mmengine's max CUDA memory).
    public static func peakMemoryMB() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Int(usage.ru_maxrss) / 1024
    }
}

/// A run that cannot go on: bad settings, an unreadable checkpoint, a non-finite loss.
public struct RunnerError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
