/// One element of a top-level COCO array (`annotations[12]`) being read: typed field getters
/// whose errors name the file, the line:column of the element, the entry and the key.
public struct JSONEntry {
    public let value: JSONValue
    public let text: JSONText
    /// Byte offset of the element in the file.
    public let offset: Int
    /// The array the entry is in (`annotations`) and its position there.
    public let array: StaticString
    public let index: Int
    private var id: Int? = nil

    public init(_ value: JSONValue, text: JSONText, offset: Int, array: StaticString, index: Int) {
        self.value = value; self.text = text; self.offset = offset; self.array = array; self.index = index
    }

    /// How messages name the entry: `annotations[12]`, or `annotations[12] (id 345)` once
    /// `withId` knows the id (built only when an error is reported).
    public var name: String { "\(array)[\(index)]" + (id.map { " (id \($0))" } ?? "") }

    /// The error for this entry.
    public func error(_ message: String, kind: StructuresError.Kind = .format) -> StructuresError {
        text.error(kind, "\(name): \(message)", at: offset)
    }

    /// Adds the entry's id to its name once known.
    public mutating func withId(_ id: Int) { self.id = id }

    /// Throws unless the element is an object.
    public func requireObject() throws {
        guard value.isObject else { throw error("expected an object, found \(value.typeName)") }
    }

    public func int(_ key: StaticString) throws -> Int {
        guard let field = value.member(key) else { throw error("missing key '\(key)'") }
        guard let number = field.int else { throw error("'\(key)' must be an integer, found \(field.typeName)") }
        return number
    }

    public func optionalInt(_ key: StaticString) throws -> Int? {
        guard let field = value.member(key), !field.isNull else { return nil }
        guard let number = field.int else { throw error("'\(key)' must be an integer, found \(field.typeName)") }
        return number
    }

    public func double(_ key: StaticString) throws -> Double {
        guard let field = value.member(key) else { throw error("missing key '\(key)'") }
        guard let number = field.double else { throw error("'\(key)' must be a number, found \(field.typeName)") }
        return number
    }

    /// A flag read with Python truthiness (absent/null/0/false: false).
    public func flag(_ key: StaticString) throws -> Bool {
        guard let field = value.member(key), !field.isNull else { return false }
        guard let number = field.double else { throw error("'\(key)' must be a number or boolean, found \(field.typeName)") }
        return number != 0
    }

    public func optionalString(_ key: StaticString) throws -> String? {
        guard let field = value.member(key), !field.isNull else { return nil }
        guard let text = field.string else { throw error("'\(key)' must be a string, found \(field.typeName)") }
        return text
    }

    /// `bbox` as `[x, y, w, h]`; nil if absent (or, with `emptyIsAbsent`, `[]`).
    public func box(_ key: StaticString = "bbox", emptyIsAbsent: Bool = false) throws -> XYWH? {
        guard let field = value.member(key), !field.isNull else { return nil }
        guard field.isArray else { throw error("'\(key)' must be an array of 4 numbers, found \(field.typeName)") }
        let n = field.count
        if n == 0, emptyIsAbsent { return nil }
        guard n == 4 else { throw error("'\(key)' must have 4 numbers [x, y, w, h], found \(n)") }
        guard let x = field[0].double, let y = field[1].double, let w = field[2].double, let h = field[3].double else {
            throw error("'\(key)' must be an array of 4 numbers")
        }
        return XYWH(x, y, w, h)
    }

    /// `segmentation`: polygons (a list of lists of numbers) or RLE (`{"size": [h, w],
    /// "counts": [ints] | "string"}`); nil if absent.
    public func segmentation(_ key: StaticString = "segmentation") throws -> CocoSegmentation? {
        var store = SegmentationStore()
        let staged = try segmentation(into: &store, key)
        return store.segmentation(staged)
    }

    /// `segmentation` with its numbers appended to `store` instead of arrays of their own (a
    /// reader of many entries makes the arrays later, in one pass).
    public func segmentation(into store: inout SegmentationStore, _ key: StaticString = "segmentation") throws -> StagedSegmentation {
        guard let field = value.member(key), !field.isNull else { return .none }
        if field.isArray { return try polygons(field, into: &store, key: key) }
        guard field.isObject else {
            throw error("'\(key)' must be polygons (a list) or RLE ({\"size\", \"counts\"}), found \(field.typeName)")
        }
        return try rle(field, into: &store, key: key)
    }

    private func polygons(_ field: JSONValue, into store: inout SegmentationStore, key: StaticString) throws -> StagedSegmentation {
        let firstPart = store.partEnds.count
        for i in 0..<field.count {
            let part = field[i]
            guard part.isArray else {
                throw error("'\(key)' polygon \(i) must be an array of numbers, found \(part.typeName)")
            }
            for j in 0..<part.count {
                guard let number = part[j].double else {
                    throw error("'\(key)' polygon \(i) must be an array of numbers, found \(part[j].typeName) in it")
                }
                store.coordinates.append(number)
            }
            store.partEnds.append(store.coordinates.count)
        }
        return .polygons(firstPart..<store.partEnds.count)
    }

    private func rle(_ field: JSONValue, into store: inout SegmentationStore, key: StaticString) throws -> StagedSegmentation {
        guard let size = field.member("size"), size.count == 2, let h = size[0].int, let w = size[1].int, h >= 0, w >= 0 else {
            throw error("'\(key)' RLE needs \"size\": [height, width]")
        }
        guard let counts = field.member("counts") else { throw error("'\(key)' RLE needs \"counts\"") }
        let first = store.counts.count
        if counts.isArray {
            for i in 0..<counts.count {
                guard let c = counts[i].int, c >= 0, c <= Int(UInt32.max) else {
                    throw error("'\(key)' RLE counts[\(i)] must be a non-negative integer", kind: .mask)
                }
                store.counts.append(UInt32(c))
            }
            return .rle(height: h, width: w, counts: first..<store.counts.count)
        }
        do {
            guard try counts.withStringBytes({ try store.appendCompressed($0) }) != nil else {
                throw error("'\(key)' RLE counts must be a list of integers or a compressed string, found \(counts.typeName)")
            }
        } catch let failure as StructuresError where failure.file == nil {
            throw error("'\(key)': \(failure.message)", kind: .mask)
        }
        return .rle(height: h, width: w, counts: first..<store.counts.count)
    }
}
