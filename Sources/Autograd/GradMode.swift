/// Whether operations record the autograd graph. Scoped, never global: `withNoGrad { ... }`
/// turns recording off for the calling task/thread only.
public enum GradMode {
    @TaskLocal public static var isEnabled: Bool = true
}

/// Runs `body` without recording the autograd graph (like `torch.no_grad()`).
public func withNoGrad<T>(_ body: () throws -> T) rethrows -> T {
    try GradMode.$isEnabled.withValue(false) { try body() }
}
