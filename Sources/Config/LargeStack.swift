import Foundation

/// Runs deeply recursive work (parsing, evaluating, merging nested values) on a thread with a
/// large stack, so that the nesting limits, not the caller's stack, decide what is accepted:
/// a debug build spends up to ~20 KB of stack per nesting level, and secondary threads may have
/// as little as 512 KB.
enum LargeStack {
    static let stackSize = 64 << 20

    static func run<T>(_ body: @escaping () throws -> T) throws -> T {
        let box = Outcome<T>()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            box.result = Result { try body() }
            done.signal()
        }
        thread.stackSize = stackSize
        thread.start()
        done.wait()
        return try box.result!.get()
    }

    /// The result handed back from the worker thread (written before the signal, read after).
    private final class Outcome<T>: @unchecked Sendable {
        var result: Result<T, Error>?
    }
}
