import ArgumentParser
import Engine
import Foundation

/// `convert-checkpoint IN OUT`: PyTorch `.pth` <-> `.safetensors` (formats from the
/// extensions), every tensor's dtype and bytes kept; `--list` prints keys, dtypes and shapes.
@main
struct ConvertCheckpoint: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert-checkpoint",
        abstract: "Convert a checkpoint between PyTorch .pth and safetensors, or list its tensors.",
        discussion: "The .pth written is a torch.save zip {'meta', 'state_dict'} that torch.load(weights_only=True) and mmengine read.")

    @Argument(help: "Input checkpoint (.pth, .pt or .safetensors).")
    var input: String

    @Argument(help: "Output file (.pth, .pt or .safetensors); not needed with --list.")
    var output: String?

    @Flag(help: "Print each tensor's key, dtype and shape (no data is read).")
    var list = false

    @Option(help: "Top-level entry that holds the tensors (default: 'state_dict', else the top dict).")
    var key: String?

    @Option(help: "Keep only keys under this prefix, without it (e.g. backbone.).")
    var prefix: String?

    @Flag(name: .customLong("strip-module"), help: "Remove a leading 'module.' from every key.")
    var stripModule = false

    @Option(name: .customLong("allow-global"), help: "A class the file's metadata holds to skip (module.Name; repeatable). Blocked modules stay refused.")
    var allowGlobal: [String] = []

    func run() throws {
        var options = CheckpointConversion.Options()
        options.key = key
        options.prefix = prefix
        options.stripModule = stripModule
        options.allowGlobals = Set(allowGlobal)
        do {
            if list {
                let (entries, skipped, format) = try CheckpointConversion.entries(input, options: options)
                for e in entries { print("\(e.key) \(e.dtype.rawValue) \(e.shape)") }
                print("tensors: \(entries.count) (\(format))" + (skipped.isEmpty ? "" : "; skipped non-tensor entries: \(skipped.joined(separator: ", "))"))
                return
            }
            guard let output else { throw ValidationError("give OUT, or --list") }
            let s = try CheckpointConversion.convert(input, to: output, options: options)
            print("wrote \(output): \(s.tensors) tensors, \(s.outputBytes) bytes, read back and checked"
                  + (s.skipped.isEmpty ? "" : "; skipped non-tensor entries: \(s.skipped.joined(separator: ", "))"))
        } catch let error as CustomStringConvertible & Error {
            FileHandle.standardError.write(Data("convert-checkpoint: \(error.description)\n".utf8))
            throw ExitCode.failure
        }
    }
}
