/// One element of a top-level COCO array (`annotations[12]`) being read: typed field getters
/// whose errors name the file, the line:column of the element, the entry and the key. One reader
/// for both parsers (`JSONReadable`); simdjson values do not know their offset (0 is given),
/// so their readers re-read a failing file with json-c for the message.
public struct JSONEntry<Value: JSONReadable> {
    public let value: Value
    public let text: JSONText
    /// Byte offset of the element in the file.
    public let offset: Int
    /// The array the entry is in (`annotations`) and its position there.
    public let array: StaticString
    public let index: Int
    private var id: Int? = nil

    public init(_ value: Value, text: JSONText, offset: Int, array: StaticString, index: Int) {
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
        let box = withUnsafeTemporaryAllocation(of: Double.self, capacity: 4) { xywh in
            field.readNumbers(into: xywh.baseAddress!) == nil ? XYWH(xywh[0], xywh[1], xywh[2], xywh[3]) : nil
        }
        guard let box else { throw error("'\(key)' must be an array of 4 numbers") }
        return box
    }

    /// `segmentation`: polygons (a list of lists of numbers) or RLE (`{"size": [h, w],
    /// "counts": [ints] | "string"}`); nil if absent. Each polygon part is read straight into
    /// an array of its own size.
    public func segmentation(_ key: StaticString = "segmentation") throws -> CocoSegmentation? {
        guard let field = try segmentationField(key) else { return nil }
        guard field.isArray else {
            var store = SegmentationStore()
            let staged = try rle(field, into: &store, key: key)
            return store.segmentation(staged)
        }
        var parts: [[Double]] = []
        parts.reserveCapacity(field.count)
        try field.forEachElement { i, part in
            let n = try partCount(part, i, key)
            var failed: Int? = nil
            parts.append(n == 0 ? [] : [Double](unsafeUninitializedCapacity: n) { numbers, initialized in
                failed = part.readNumbers(into: numbers.baseAddress!)
                initialized = n
            })
            if let j = failed { throw partError(part, i, j, key) }
        }
        return .polygons(parts)
    }

    /// `segmentation` with its numbers appended to `store` instead of arrays of their own (a
    /// reader of many entries makes the arrays later, in one pass: json-c's many short-lived
    /// allocations would fragment the heap between the arrays).
    public func segmentation(into store: inout SegmentationStore, _ key: StaticString = "segmentation") throws -> StagedSegmentation {
        guard let field = try segmentationField(key) else { return .none }
        guard field.isArray else { return try rle(field, into: &store, key: key) }
        let firstPart = store.partEnds.count
        try field.forEachElement { i, part in
            let n = try partCount(part, i, key)
            let start = store.coordinates.count
            store.coordinates.append(contentsOf: repeatElement(0, count: n))
            if let j = store.coordinates.withUnsafeMutableBufferPointer({ part.readNumbers(into: $0.baseAddress! + start) }) {
                throw partError(part, i, j, key)
            }
            store.partEnds.append(store.coordinates.count)
        }
        return .polygons(firstPart..<store.partEnds.count)
    }

    /// The segmentation's value if present: an array (polygons) or an object (RLE).
    private func segmentationField(_ key: StaticString) throws -> Value? {
        guard let field = value.member(key), !field.isNull else { return nil }
        guard field.isArray || field.isObject else {
            throw error("'\(key)' must be polygons (a list) or RLE ({\"size\", \"counts\"}), found \(field.typeName)")
        }
        return field
    }

    private func partCount(_ part: Value, _ i: Int, _ key: StaticString) throws -> Int {
        guard part.isArray else {
            throw error("'\(key)' polygon \(i) must be an array of numbers, found \(part.typeName)")
        }
        return part.count
    }

    private func partError(_ part: Value, _ i: Int, _ j: Int, _ key: StaticString) -> StructuresError {
        error("'\(key)' polygon \(i) must be an array of numbers, found \(part[j].typeName) in it")
    }

    private func rle(_ field: Value, into store: inout SegmentationStore, key: StaticString) throws -> StagedSegmentation {
        guard let size = field.member("size"), size.count == 2, let h = size[0].int, let w = size[1].int else {
            throw error("'\(key)' RLE needs \"size\": [height, width]")
        }
        guard (0...CocoImage.maxSide).contains(h), (0...CocoImage.maxSide).contains(w) else {
            throw error("'\(key)' RLE \"size\" [\(h), \(w)] is not allowed: expected each from 0 to \(CocoImage.maxSide)")
        }
        guard let counts = field.member("counts") else { throw error("'\(key)' RLE needs \"counts\"") }
        let first = store.counts.count
        if counts.isArray {
            try counts.forEachElement { i, count in
                guard let c = count.int, c >= 0, c <= Int(UInt32.max) else {
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
