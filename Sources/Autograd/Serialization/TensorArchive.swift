import Foundation

/// A file of named tensors read lazily: a safetensors file or a PyTorch `.pth` checkpoint.
/// State dicts load from either (`Module.loadStateDict(from:)`).
public protocol TensorArchive {
    var path: String { get }
    /// Tensor names (a `.pth` file: in its state dict's order; safetensors: sorted).
    var names: [String] { get }
    func shape(_ name: String) -> [Int]?
    /// A float tensor (other float types rounded to float32).
    func tensor(_ name: String) throws -> Tensor
    /// A float tensor from an integer entry too (num_batches_tracked and other integer buffers).
    func indicesAsTensor(_ name: String) throws -> Tensor
}

extension SafetensorsFile: TensorArchive {
    public func shape(_ name: String) -> [Int]? { entries[name]?.shape }
}

public enum TensorArchives {
    /// Opens `path` by its content: a `.pth` checkpoint (zip or legacy) or a safetensors file.
    public static func open(_ path: String, pthOptions: PthFile.Options = PthFile.Options()) throws -> any TensorArchive {
        if let problem = FileCheck.problem(path) { throw SafetensorsFile.Error.unreadable(path: path, reason: problem) }
        guard let h = FileHandle(forReadingAtPath: path) else {
            throw SafetensorsFile.Error.unreadable(path: path, reason: "cannot be read")
        }
        let head = (try? h.read(upToCount: 16)) ?? Data()
        try? h.close()
        let bytes = [UInt8](head)
        let isZip = bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]), isLegacy = bytes.starts(with: PthFile.legacyMagic)
        if isZip || isLegacy || path.hasSuffix(".pth") || path.hasSuffix(".pt") {
            return try PthFile(path: path, options: pthOptions)
        }
        return try SafetensorsFile(path: path)
    }
}
