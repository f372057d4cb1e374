/// `precondition` that keeps its message in release builds (Swift's `precondition` stops
/// without it under -O): for programmer errors only, never for input, which gets a thrown error.
@inlinable @inline(__always)
public func checkInvariant(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                           file: StaticString = #fileID, line: UInt = #line) {
    if !condition() { fatalError(message(), file: file, line: line) }
}
