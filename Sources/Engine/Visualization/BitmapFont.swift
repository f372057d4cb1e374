import Kernels
/// SwiftDet's own 5x7 pixel font for printable ASCII (32...126), drawn on a 6x8 cell (one
/// column and one row of spacing) and scaled by an integer factor. Characters outside that
/// range are drawn as '?'. Label texts and plot annotations use it.
public struct BitmapFont: Sendable {
    public static let glyphWidth = 5
    public static let glyphHeight = 7
    /// Horizontal distance from one character to the next, in unscaled pixels.
    public static let advance = 6

    /// The shared font.
    public static let standard = BitmapFont()

    /// 95 glyphs x 7 rows; bit 4 of a row is the leftmost column.
    private let rows: [UInt8]

    private init() {
        var rows: [UInt8] = []
        rows.reserveCapacity(Self.art.count * Self.glyphHeight)
        for glyph in Self.art {
            let lines = glyph.split(separator: " ")
            checkInvariant(lines.count == Self.glyphHeight, "BitmapFont: glyph \(rows.count / 7 + 32) has \(lines.count) rows")
            for line in lines {
                checkInvariant(line.count == Self.glyphWidth, "BitmapFont: row '\(line)' is not 5 wide")
                rows.append(line.reduce(0) { ($0 << 1) | ($1 == "#" ? 1 : 0) })
            }
        }
        checkInvariant(rows.count == 95 * Self.glyphHeight, "BitmapFont: \(rows.count / 7) glyphs, expected 95")
        self.rows = rows
    }

    /// Whether the glyph of `scalar` has its pixel at (row, column) set.
    public func isSet(_ scalar: Unicode.Scalar, row: Int, column: Int) -> Bool {
        let code = (32...126).contains(scalar.value) ? Int(scalar.value) : 63  // '?'
        return rows[(code - 32) * Self.glyphHeight + row] & (UInt8(1) << (4 - column)) != 0
    }

    /// The size in pixels of `text` drawn at `scale` (no spacing after the last character).
    public func size(of text: String, scale: Int) -> (width: Int, height: Int) {
        let n = text.unicodeScalars.count
        return (n == 0 ? 0 : (n * Self.advance - 1) * scale, Self.glyphHeight * scale)
    }

    /// One string per character from ' ' (32) to '~' (126): seven rows of five, top first,
    /// '#' set and '.' clear.
    private static let art: [String] = [
        "..... ..... ..... ..... ..... ..... .....",  // space
        "..#.. ..#.. ..#.. ..#.. ..#.. ..... ..#..",  // !
        ".#.#. .#.#. .#.#. ..... ..... ..... .....",  // "
        ".#.#. .#.#. ##### .#.#. ##### .#.#. .#.#.",  // #
        "..#.. .#### #.#.. .###. ..#.# ####. ..#..",  // $
        "##... ##..# ...#. ..#.. .#... #..## ...##",  // %
        ".##.. #..#. #.#.. .#... #.#.# #..#. .##.#",  // &
        "..#.. ..#.. ..#.. ..... ..... ..... .....",  // '
        "...#. ..#.. .#... .#... .#... ..#.. ...#.",  // (
        ".#... ..#.. ...#. ...#. ...#. ..#.. .#...",  // )
        "..... ..#.. #.#.# .###. #.#.# ..#.. .....",  // *
        "..... ..#.. ..#.. ##### ..#.. ..#.. .....",  // +
        "..... ..... ..... ..... .##.. ..#.. .#...",  // ,
        "..... ..... ..... ##### ..... ..... .....",  // -
        "..... ..... ..... ..... ..... .##.. .##..",  // .
        "..... ....# ...#. ..#.. .#... #.... .....",  // /
        ".###. #...# #..## #.#.# ##..# #...# .###.",  // 0
        "..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###.",  // 1
        ".###. #...# ....# ...#. ..#.. .#... #####",  // 2
        "##### ...#. ..#.. ...#. ....# #...# .###.",  // 3
        "...#. ..##. .#.#. #..#. ##### ...#. ...#.",  // 4
        "##### #.... ####. ....# ....# #...# .###.",  // 5
        "..##. .#... #.... ####. #...# #...# .###.",  // 6
        "##### ....# ...#. ..#.. .#... .#... .#...",  // 7
        ".###. #...# #...# .###. #...# #...# .###.",  // 8
        ".###. #...# #...# .#### ....# ...#. .##..",  // 9
        "..... .##.. .##.. ..... .##.. .##.. .....",  // :
        "..... .##.. .##.. ..... .##.. ..#.. .#...",  // ;
        "...#. ..#.. .#... #.... .#... ..#.. ...#.",  // <
        "..... ..... ##### ..... ##### ..... .....",  // =
        ".#... ..#.. ...#. ....# ...#. ..#.. .#...",  // >
        ".###. #...# ....# ...#. ..#.. ..... ..#..",  // ?
        ".###. #...# ....# .##.# #.#.# #.#.# .###.",  // @
        ".###. #...# #...# ##### #...# #...# #...#",  // A
        "####. #...# #...# ####. #...# #...# ####.",  // B
        ".###. #...# #.... #.... #.... #...# .###.",  // C
        "###.. #..#. #...# #...# #...# #..#. ###..",  // D
        "##### #.... #.... ####. #.... #.... #####",  // E
        "##### #.... #.... ####. #.... #.... #....",  // F
        ".###. #...# #.... #.### #...# #...# .####",  // G
        "#...# #...# #...# ##### #...# #...# #...#",  // H
        ".###. ..#.. ..#.. ..#.. ..#.. ..#.. .###.",  // I
        "..### ...#. ...#. ...#. ...#. #..#. .##..",  // J
        "#...# #..#. #.#.. ##... #.#.. #..#. #...#",  // K
        "#.... #.... #.... #.... #.... #.... #####",  // L
        "#...# ##.## #.#.# #.#.# #...# #...# #...#",  // M
        "#...# #...# ##..# #.#.# #..## #...# #...#",  // N
        ".###. #...# #...# #...# #...# #...# .###.",  // O
        "####. #...# #...# ####. #.... #.... #....",  // P
        ".###. #...# #...# #...# #.#.# #..#. .##.#",  // Q
        "####. #...# #...# ####. #.#.. #..#. #...#",  // R
        ".#### #.... #.... .###. ....# ....# ####.",  // S
        "##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#..",  // T
        "#...# #...# #...# #...# #...# #...# .###.",  // U
        "#...# #...# #...# #...# #...# .#.#. ..#..",  // V
        "#...# #...# #...# #.#.# #.#.# #.#.# .#.#.",  // W
        "#...# #...# .#.#. ..#.. .#.#. #...# #...#",  // X
        "#...# #...# .#.#. ..#.. ..#.. ..#.. ..#..",  // Y
        "##### ....# ...#. ..#.. .#... #.... #####",  // Z
        ".###. .#... .#... .#... .#... .#... .###.",  // [
        "..... #.... .#... ..#.. ...#. ....# .....",  // backslash
        ".###. ...#. ...#. ...#. ...#. ...#. .###.",  // ]
        "..#.. .#.#. #...# ..... ..... ..... .....",  // ^
        "..... ..... ..... ..... ..... ..... #####",  // _
        ".#... ..#.. ...#. ..... ..... ..... .....",  // `
        "..... ..... .###. ....# .#### #...# .####",  // a
        "#.... #.... #.##. ##..# #...# #...# ####.",  // b
        "..... ..... .###. #.... #.... #...# .###.",  // c
        "....# ....# .##.# #..## #...# #...# .####",  // d
        "..... ..... .###. #...# ##### #.... .###.",  // e
        "..##. .#..# .#... ###.. .#... .#... .#...",  // f
        "..... .#### #...# #...# .#### ....# .###.",  // g
        "#.... #.... #.##. ##..# #...# #...# #...#",  // h
        "..#.. ..... .##.. ..#.. ..#.. ..#.. .###.",  // i
        "...#. ..... ..##. ...#. ...#. #..#. .##..",  // j
        "#.... #.... #..#. #.#.. ##... #.#.. #..#.",  // k
        ".##.. ..#.. ..#.. ..#.. ..#.. ..#.. .###.",  // l
        "..... ..... ##.#. #.#.# #.#.# #...# #...#",  // m
        "..... ..... #.##. ##..# #...# #...# #...#",  // n
        "..... ..... .###. #...# #...# #...# .###.",  // o
        "..... ..... ####. #...# ####. #.... #....",  // p
        "..... ..... .##.# #..## .#### ....# ....#",  // q
        "..... ..... #.##. ##..# #.... #.... #....",  // r
        "..... ..... .###. #.... .###. ....# ####.",  // s
        ".#... .#... ###.. .#... .#... .#..# ..##.",  // t
        "..... ..... #...# #...# #...# #..## .##.#",  // u
        "..... ..... #...# #...# #...# .#.#. ..#..",  // v
        "..... ..... #...# #...# #.#.# #.#.# .#.#.",  // w
        "..... ..... #...# .#.#. ..#.. .#.#. #...#",  // x
        "..... ..... #...# #...# .#### ....# .###.",  // y
        "..... ..... ##### ...#. ..#.. .#... #####",  // z
        "...#. ..#.. ..#.. .#... ..#.. ..#.. ...#.",  // {
        "..#.. ..#.. ..#.. ..#.. ..#.. ..#.. ..#..",  // |
        ".#... ..#.. ..#.. ...#. ..#.. ..#.. .#...",  // }
        "..... ..... .#... #.#.# ...#. ..... .....",  // ~
    ]
}

extension Canvas {
    /// Draws `text` in `font` with its top-left corner at (x, y), each font pixel a `scale` x
    /// `scale` block; whatever falls outside the image is skipped.
    public mutating func drawText(_ text: String, x: Int, y: Int, scale: Int = 1, color: RGBColor,
                                  font: BitmapFont = .standard) {
        let s = max(scale, 1)
        var cx = x
        for scalar in text.unicodeScalars {
            if cx >= width { break }
            if cx + BitmapFont.glyphWidth * s > 0 {
                stamp({ font.isSet(scalar, row: $0, column: $1) }, x: cx, y: y,
                      width: BitmapFont.glyphWidth, height: BitmapFont.glyphHeight, scale: s, color: color)
            }
            cx += BitmapFont.advance * s
        }
    }
}

extension Canvas {
    /// Draws `text` turned 90 degrees counter-clockwise (read bottom to top), its first
    /// character's bottom-left corner at (x, bottom); axis labels and column names use it.
    public mutating func drawTextUp(_ text: String, x: Int, bottom: Int, scale: Int = 1, color: RGBColor,
                                    font: BitmapFont = .standard) {
        let s = max(scale, 1), w = BitmapFont.glyphWidth
        var cy = bottom
        for scalar in text.unicodeScalars {
            if cy < 0 { break }
            stamp({ row, column in font.isSet(scalar, row: column, column: w - 1 - row) }, x: x, y: cy - w * s,
                  width: BitmapFont.glyphHeight, height: w, scale: s, color: color)
            cy -= BitmapFont.advance * s
        }
    }
}
