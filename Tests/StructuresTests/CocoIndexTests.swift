import Structures
import Testing

/// The COCO index: what it reads from data/coco_sample, its lookups, and the errors for bad
/// files (each names the file, the line:column and the entry).
@Suite struct CocoIndexTests {
    @Test func readsCocoSample() throws {
        let index = try CocoSampleMaskTests.index()
        #expect(index.images.count == 160)
        #expect(index.annotations.count == 1444)
        #expect(index.categories.count == 80)
        #expect(index.categories.map(\.id) == index.categories.map(\.id).sorted())
        #expect(index.categories.first?.name == "person")
        let image = index.images[0]
        #expect(image.width > 0 && image.height > 0 && image.fileName.hasSuffix(".jpg"))
        let own = index.annotationIndices(imageId: image.id)
        #expect(own.allSatisfy { index.annotations[$0].imageId == image.id })
        #expect(own.elementsEqual(own.sorted()))
        let total = index.images.reduce(0) { $0 + index.annotationIndices(imageId: $1.id).count }
        #expect(total == 1444)
        let perCategory = index.categories.reduce(0) { $0 + index.annotationIndices(categoryId: $1.id).count }
        #expect(perCategory == 1444)
        #expect(index.categoryIndex(id: 1) == 0 && index.categoryIndex(id: 90) == 79)
        #expect(index.annotations.filter(\.isCrowd).count == 14)
        #expect(index.image(id: -5) == nil && index.annotationIndices(imageId: -5).isEmpty)
    }

    static let good = """
    {"info": {"year": 2017}, "images": [{"id": 7, "file_name": "a.jpg", "width": 4, "height": 3}],
     "categories": [{"id": 9, "name": "b"}, {"id": 2, "name": "a"}],
     "annotations": [{"id": 1, "image_id": 7, "category_id": 9, "bbox": [0, 0, 2, 2], "area": 4.0,
                      "iscrowd": 0, "segmentation": [[0, 0, 2, 0, 2, 2]]},
                     {"id": 2, "image_id": 7, "category_id": 2, "bbox": [1, 1, 1, 1], "area": 1, "iscrowd": 1,
                      "segmentation": {"size": [3, 4], "counts": [4, 1, 7]}, "ignore": 1}]}
    """

    @Test func readsEntries() throws {
        let index = try CocoIndex(text: jsonText(Self.good))
        #expect(index.categories.map(\.name) == ["a", "b"])
        let crowd = index.annotations[1]
        #expect(crowd.isCrowd && crowd.ignore && crowd.area == 1)
        #expect(crowd.segmentation == .rle(RLE(height: 3, width: 4, counts: [4, 1, 7])))
        #expect(index.annotations[0].segmentation == .polygons([[0, 0, 2, 0, 2, 2]]))
        #expect(index.annotations[0].bbox == XYWH(0, 0, 2, 2))
    }

    /// Bad files: (text, what the message must contain).
    static let bad: [(String, [String])] = [
        ("", ["bad.json", "empty"]),
        ("[1, 2]", ["bad.json", "1:1", "JSON object"]),
        ("{\"images\": [{\"id\": 1,}]}", ["bad.json", "1:22", "JSON syntax error"]),
        ("{\"images\": [{\"id\": 1}], \"annotations\": [", ["bad.json", "not closed"]),
        ("{\"images\": [{\"id\": 1}]} x", ["bad.json", "extra data"]),
        ("{\"images\": 5}", ["'images' must be an array"]),
        ("{\"images\": [{\"id\": 1}, {\"id\": 1}]}", ["image id 1 appears twice"]),
        ("{\"categories\": [{\"id\": 3}, {\"id\": 3}]}", ["category id 3 appears twice"]),
        ("{\"images\": [{\"file_name\": \"x\"}]}", ["images[0]", "missing key 'id'"]),
        ("{\"annotations\": [{\"id\": 4, \"image_id\": 1, \"category_id\": 1, \"area\": 1}]}",
         ["annotations[0] (id 4)", "missing key 'bbox'"]),
        ("{\"annotations\": [{\"id\": 4, \"image_id\": 1, \"category_id\": 1, \"area\": 1, \"bbox\": [1, 2, 3]}]}",
         ["annotations[0] (id 4)", "4 numbers", "found 3"]),
        ("{\"annotations\": [{\"id\": 4, \"image_id\": \"1\", \"category_id\": 1, \"area\": 1, \"bbox\": [1, 2, 3, 4]}]}",
         ["annotations[0] (id 4)", "'image_id' must be an integer"]),
        ("{\"annotations\": [{\"id\": 4, \"image_id\": 1, \"category_id\": 1, \"area\": 1, \"bbox\": [1, 2, 3, 4], "
            + "\"segmentation\": {\"size\": [2, 2], \"counts\": \"0~\"}}]}",
         ["annotations[0] (id 4)", "'~'"]),
        ("{\"annotations\": [{\"id\": 4, \"image_id\": 1, \"category_id\": 1, \"area\": 1, \"bbox\": [1, 2, 3, 4], "
            + "\"segmentation\": {\"counts\": [1, 2]}}]}",
         ["annotations[0] (id 4)", "\"size\""]),
        ("{\"images\": [{\"id\": 1, \"file_name\": \"\\xff\"}]}", ["bad.json", "JSON syntax error"]),
        // Sides past 2^31 - 1 (their pixel counts overflowed 64 bits in rasterizing or checking).
        ("{\"images\": [{\"id\": 7, \"width\": 1099511627776, \"height\": 80}]}",
         ["images[0] (id 7)", "width 1099511627776 and height 80 are not allowed", "2147483647"]),
        ("{\"images\": [{\"id\": 7, \"width\": 100, \"height\": -1}]}", ["images[0] (id 7)", "height -1"]),
        ("{\"annotations\": [{\"id\": 4, \"image_id\": 1, \"category_id\": 1, \"area\": 1, \"bbox\": [1, 2, 3, 4], "
            + "\"iscrowd\": 1, \"segmentation\": {\"size\": [1099511627776, 1099511627776], \"counts\": [1]}}]}",
         ["annotations[0] (id 4)", "RLE \"size\" [1099511627776, 1099511627776] is not allowed"]),
    ]

    @Test(arguments: 0..<bad.count) func badFiles(_ i: Int) {
        let (source, needles) = Self.bad[i]
        let message = errorText { _ = try CocoIndex(text: jsonText(source, name: "bad.json")) }
        for needle in needles {
            #expect(message.contains(needle), "case \(i): \(message)")
        }
    }

    @Test func missingFile() {
        let message = errorText { _ = try CocoIndex(contentsOf: "/nonexistent/instances.json") }
        #expect(message.contains("/nonexistent/instances.json") && message.contains("cannot open"))
    }

    /// Many annotations (parsed on several threads) keep file order and report the first error.
    @Test func parallelReadKeepsOrder() throws {
        var parts: [String] = []
        for i in 0..<5000 {
            parts.append("{\"id\": \(i + 1), \"image_id\": \(i % 7), \"category_id\": 1, \"bbox\": [0, 0, 1, 1], \"area\": \(i)}")
        }
        let images = (0..<7).map { "{\"id\": \($0)}" }.joined(separator: ",")
        let index = try CocoIndex(text: jsonText("{\"images\": [\(images)], \"annotations\": [\(parts.joined(separator: ","))]}"))
        #expect(index.annotations.map(\.id) == Array(1...5000))
        #expect(index.annotationIndices(imageId: 3).map { index.annotations[$0].id } == Array(stride(from: 4, through: 5000, by: 7)))
        parts[4321] = "{\"id\": 1}"
        parts[1234] = "{\"id\": 2}"
        let message = errorText { _ = try CocoIndex(text: jsonText("{\"annotations\": [\(parts.joined(separator: ","))]}")) }
        #expect(message.contains("annotations[1234]"), "\(message)")
    }
}
