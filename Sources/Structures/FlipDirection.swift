/// A flip as mmcv names it: 'horizontal' mirrors columns, 'vertical' rows, 'diagonal' both.
public enum FlipDirection: String, Sendable, CaseIterable {
    case horizontal, vertical, diagonal

    public var flipsColumns: Bool { self != .vertical }
    public var flipsRows: Bool { self != .horizontal }
}
