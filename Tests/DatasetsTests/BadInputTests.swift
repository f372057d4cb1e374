import Config
import Datasets
import Foundation
import Kernels
import Structures
import Testing

/// Each kind of bad input is a `DatasetError` naming the file and the entry, or, with
/// `on_bad_sample='skip'`, a warning and a skipped sample.
@Suite struct BadInputTests {
    /// A COCO folder in a temporary directory: `good.jpg` (a real photo) plus whatever the
    /// test adds; `annotations` are the JSON's annotations.
    struct Folder {
        let url: URL
        var annFile: String { url.appendingPathComponent("ann.json").path }

        init(images: [[String: Any]]? = nil, annotations: [[String: Any]]? = nil) throws {
            url = try TestData.temporaryDirectory()
            let photo = try TestData.project("data/fruits_nuts/images/3.jpg")
            try FileManager.default.copyItem(atPath: photo, toPath: url.appendingPathComponent("good.jpg").path)
            let imgs = images ?? [["id": 1, "file_name": "good.jpg", "width": 800, "height": 600]]
            let anns = annotations ?? [Self.annotation(id: 1, image: 1)]
            let json: [String: Any] = ["images": imgs, "annotations": anns,
                                       "categories": [["id": 1, "name": "date"], ["id": 2, "name": "fig"]]]
            try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: annFile))
        }

        static func annotation(id: Int, image: Int, category: Int = 1, segmentation: Any? = nil) -> [String: Any] {
            ["id": id, "image_id": image, "category_id": category, "bbox": [100, 100, 50, 40], "area": 2000, "iscrowd": 0,
             "segmentation": segmentation ?? [[100, 100, 150, 100, 150, 140, 100, 140]]]
        }

        func write(_ name: String, _ bytes: Data) throws { try bytes.write(to: url.appendingPathComponent(name)) }

        func dataset(masks: Bool = true, policy: BadSamplePolicy = .error,
                     warn: @escaping @Sendable (String) -> Void = { _ in }) throws -> CocoDataset {
            try CocoDataset(annotationFile: annFile, imagePrefix: url.path, pipeline: Build.trainPipeline(scale: (200, 150), masks: masks),
                            onBadSample: policy, warn: warn)
        }
    }

    /// Collects warnings from any thread.
    final class Warnings: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [String] = []
        func add(_ s: String) { lock.lock(); items.append(s); lock.unlock() }
        var all: [String] { lock.lock(); defer { lock.unlock() }; return items }
    }

    static func images(_ names: [String]) -> [[String: Any]] {
        names.enumerated().map { ["id": $0.offset + 1, "file_name": $0.element, "width": 800, "height": 600] }
    }

    static func first(_ ds: CocoDataset) throws -> PackedSample {
        var rng = SeededGenerator(seed: 0)
        return try ds.sample(0, rng: &rng)
    }

    @Test func missingImageNamesTheFileAndTheImage() throws {
        // Found when the dataset is built (not when its batch comes), counted and named.
        let f = try Folder(images: Self.images(["gone.jpg", "good.jpg", "lost.jpg"]),
                           annotations: (1...3).map { Folder.annotation(id: $0, image: $0) })
        do {
            _ = try f.dataset()
            Issue.record("a dataset with missing images was built")
        } catch {
            let text = "\(error)"
            #expect(text.contains(f.annFile) && text.contains("2 of the 3 images") && text.contains("gone.jpg, lost.jpg")
                    && text.contains(f.url.path), "\(text)")
        }
        // An image that disappears after that: named with its image id when its sample is read.
        let g = try Folder(images: Self.images(["good.jpg"]))
        let ds = try g.dataset()
        try FileManager.default.removeItem(at: g.url.appendingPathComponent("good.jpg"))
        #expect(throws: DatasetError.missingImage(path: g.url.path + "/good.jpg", imageId: 1)) { try Self.first(ds) }
    }

    /// An annotation file with no images, or none left after filtering, is an error naming it
    /// (it used to surface as "param_scheduler[0]: epoch length must be positive").
    @Test func emptyDatasetsNameTheFileAndTheFilter() throws {
        let none = try Folder(images: [], annotations: [])
        #expect { try none.dataset() } throws: { "\($0)".contains("lists no images") && "\($0)".contains(none.annFile) }
        let f = try Folder(images: Self.images(["good.jpg"]), annotations: [Folder.annotation(id: 1, image: 1, category: 2)])
        #expect {
            try CocoDataset(annotationFile: f.annFile, imagePrefix: f.url.path, classes: ["date"],
                            filter: .init(filterEmptyGT: true, minSize: 0), pipeline: Pipeline([]))
        } throws: { "\($0)".contains("after filter_cfg (filter_empty_gt=true") && "\($0)".contains("date") }
    }

    /// Images but no annotations: a dataset of images without objects, as in mmdetection;
    /// with `filter_empty_gt` nothing is left, an error naming the file and the filter.
    @Test func imagesWithoutAnnotations() throws {
        let f = try Folder(images: Self.images(["good.jpg"]), annotations: [])
        #expect(try f.dataset().dataList.map(\.instances.count) == [0])
        #expect {
            try CocoDataset(annotationFile: f.annFile, imagePrefix: f.url.path, filter: .init(filterEmptyGT: true, minSize: 0),
                            pipeline: Pipeline([]))
        } throws: { "\($0)".contains(f.annFile) && "\($0)".contains("filter_empty_gt") }
    }

    /// Python's json writes NaN and Infinity for non-finite floats: such a box is dropped and
    /// counted with the others, never silently.
    @Test func nonFiniteBoxesAreDroppedAndCounted() throws {
        let f = try Folder(images: Self.images(["good.jpg"]))
        let text = """
            {"images": [{"id": 1, "file_name": "good.jpg", "width": 800, "height": 600}],
             "categories": [{"id": 1, "name": "date"}],
             "annotations": [
               {"id": 1, "image_id": 1, "category_id": 1, "bbox": [100, 100, 50, 40], "area": 2000, "iscrowd": 0},
               {"id": 2, "image_id": 1, "category_id": 1, "bbox": [NaN, 100, 50, 40], "area": 2000, "iscrowd": 0},
               {"id": 3, "image_id": 1, "category_id": 1, "bbox": [100, 100, Infinity, 40], "area": 2000, "iscrowd": 0},
               {"id": 4, "image_id": 1, "category_id": 1, "bbox": [100, 100, 1e999, 40], "area": 2000, "iscrowd": 0}]}
            """
        try Data(text.utf8).write(to: URL(fileURLWithPath: f.annFile))
        let warnings = Warnings()
        let ds = try CocoDataset(annotationFile: f.annFile, imagePrefix: f.url.path, pipeline: Pipeline([]), warn: { warnings.add($0) })
        #expect(ds.dataList[0].instances.count == 1)
        #expect(warnings.all.count == 1 && warnings.all[0].contains("3 annotations dropped"), "\(warnings.all)")
    }

    /// A relative annotation path that is not there says what it is relative to (a work dir's
    /// config copy run from another folder used to say only "file not found").
    @Test func aMissingRelativeAnnotationFileSaysWhatItIsRelativeTo() throws {
        #expect { try CocoDataset(annotationFile: "data/no-such/ann.json", imagePrefix: "", pipeline: Pipeline([])) } throws: {
            "\($0)".contains("data/no-such/ann.json") && "\($0)".contains("relative to the working directory")
                && "\($0)".contains("data_root")
        }
    }

    /// Boxes mmdetection drops (under a pixel, negative, non-finite) are counted and reported once.
    @Test func droppedInstancesAreReportedOnce() throws {
        var bad = Folder.annotation(id: 2, image: 1)
        bad["bbox"] = [10, 10, -5, 20]
        var tiny = Folder.annotation(id: 3, image: 1)
        tiny["bbox"] = [10, 10, 0.5, 20]
        let f = try Folder(images: Self.images(["good.jpg"]), annotations: [Folder.annotation(id: 1, image: 1), bad, tiny])
        let warnings = Warnings()
        let ds = try f.dataset(warn: { warnings.add($0) })
        #expect(ds.dataList[0].instances.count == 1)
        #expect(warnings.all.count == 1 && warnings.all[0].contains("2 annotations dropped") && warnings.all[0].contains("annotation id 2"),
                "\(warnings.all)")
    }

    @Test func corruptTruncatedAndNonJPEGFilesAreErrors() throws {
        let f = try Folder(images: Self.images(["garbage.jpg", "half.jpg", "picture.png", "empty.jpg"]),
                           annotations: (1...4).map { Folder.annotation(id: $0, image: $0) })
        let photo = try Data(contentsOf: URL(fileURLWithPath: try TestData.project("data/fruits_nuts/images/3.jpg")))
        try f.write("garbage.jpg", Data([0xFF, 0xD8, 0xFF, 0xE0] + (0..<500).map { UInt8(truncatingIfNeeded: $0 &* 37) }))
        try f.write("half.jpg", photo.prefix(photo.count / 2))
        try f.write("picture.png", Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0]))
        try f.write("empty.jpg", Data())
        let ds = try f.dataset()
        for (i, name) in ["garbage.jpg", "half.jpg", "picture.png", "empty.jpg"].enumerated() {
            var rng = SeededGenerator(seed: 0)
            do {
                _ = try ds.sample(i, rng: &rng)
                Issue.record("\(name) decoded")
            } catch let e as DatasetError {
                #expect("\(e)".contains(name), "\(e)")
                switch e {
                case .corruptImage, .unsupportedImage: break
                default: Issue.record("\(name): \(e)")
                }
            }
        }
    }

    @Test func skipPolicyWarnsAndDropsBadSamplesFromBatches() throws {
        let f = try Folder(images: Self.images(["good.jpg", "gone.jpg", "good.jpg"]),
                           annotations: (1...3).map { Folder.annotation(id: $0, image: $0) })
        let warnings = Warnings()
        let ds = try f.dataset(policy: .skip, warn: { warnings.add($0) })
        let loader = DataLoader(dataset: ds, batchSize: 2, numWorkers: 2, seed: 0, warn: { warnings.add($0) })
        let it = loader.epoch(0)
        var sizes: [Int] = []
        while let b = try it.next() { sizes.append(b.count) }
        #expect(sizes == [1, 1])
        // Once when the dataset is built (the count), once when the loader skips the sample.
        #expect(warnings.all.count == 2 && warnings.all[0].contains("1 of the 3 images") && warnings.all[1].contains("gone.jpg"),
                "\(warnings.all)")
        #expect(throws: DatasetError.self) { try f.dataset() }
    }

    @Test func malformedAnnotationFilesAreErrorsNamingTheFile() throws {
        let dir = try TestData.temporaryDirectory()
        for (name, text) in [("cut.json", "{\"images\": [ {\"id\": 1,"), ("list.json", "[1, 2]"), ("nobox.json",
            "{\"images\": [], \"categories\": [], \"annotations\": [{\"id\": 1, \"image_id\": 1, \"category_id\": 1}]}")] {
            let path = dir.appendingPathComponent(name).path
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            do {
                _ = try CocoDataset(annotationFile: path, imagePrefix: "", pipeline: Pipeline([]))
                Issue.record("\(name) accepted")
            } catch let e as DatasetError {
                guard case .malformedAnnotations(let file, _) = e else { Issue.record("\(e)"); continue }
                #expect(file == path)
            }
        }
        #expect(throws: DatasetError.malformedAnnotations(file: "/nonexistent/ann.json", reason: "file not found")) {
            try CocoDataset(annotationFile: "/nonexistent/ann.json", imagePrefix: "", pipeline: Pipeline([]))
        }
    }

    @Test func annotationsNamingUnknownEntriesAreErrors() throws {
        let unknownImage = try Folder(annotations: [Folder.annotation(id: 7, image: 42)])
        #expect(throws: DatasetError.unknownImage(file: unknownImage.annFile, annotationId: 7, imageId: 42)) { try unknownImage.dataset() }
        let unknownCategory = try Folder(annotations: [Folder.annotation(id: 8, image: 1, category: 5)])
        #expect(throws: DatasetError.unknownCategory(file: unknownCategory.annFile, annotationId: 8, categoryId: 5)) {
            try unknownCategory.dataset()
        }
        let duplicate = try Folder(annotations: [Folder.annotation(id: 3, image: 1), Folder.annotation(id: 3, image: 1)])
        #expect(throws: DatasetError.duplicateAnnotationId(file: duplicate.annFile, annotationId: 3)) { try duplicate.dataset() }
        let f = try Folder()
        #expect(throws: DatasetError.unknownClass(file: f.annFile, name: "plum", known: ["date", "fig"])) {
            try CocoDataset(annotationFile: f.annFile, imagePrefix: f.url.path, classes: ["date", "plum"], pipeline: Pipeline([]))
        }
    }

    @Test func degeneratePolygonIsAnErrorOrAnIgnoredInstance() throws {
        let f = try Folder(annotations: [Folder.annotation(id: 1, image: 1),
                                         Folder.annotation(id: 2, image: 1, segmentation: [[100, 100, 150, 100]])])
        #expect(throws: DatasetError.degeneratePolygon(file: f.annFile, annotationId: 2, imageId: 1,
                                                       reason: "part 0 has 4 coordinates (needs an even number, at least 6)")) {
            try f.dataset()
        }
        _ = try f.dataset(masks: false)  // boxes only: the polygon does not matter
        let warnings = Warnings()
        let sample = try Self.first(try f.dataset(policy: .skip, warn: { warnings.add($0) })).sample
        #expect(warnings.all.count == 1 && warnings.all[0].contains("annotation 2"))
        #expect(sample.gtInstances.count == 1 && sample.ignoredInstances.count == 1)
        if case .bitmap(let m)? = sample.ignoredInstances.masks { #expect(m.areas == [0]) } else { Issue.record("masks") }
    }

    @Test func rleOfTheWrongSizeIsAnError() throws {
        let f = try Folder(annotations: [Folder.annotation(id: 5, image: 1, segmentation: ["counts": [6], "size": [2, 3]])])
        #expect(throws: DatasetError.malformedSegmentation(
            file: f.annFile, annotationId: 5, reason: "RLE size 2x3 differs from the image's 600x800")) { try Self.first(try f.dataset()) }
    }

    @Test func badConfigsAndPipelinesAreErrors() throws {
        let f = try Folder()
        let noPack = try CocoDataset(annotationFile: f.annFile, imagePrefix: f.url.path, pipeline: Pipeline([LoadImageFromFile()]))
        #expect(throws: DatasetError.self) { try Self.first(noPack) }
        let cfg = try ConfigLoader().load(text: """
            a = dict(type='CocoDataset', ann_fle='x.json')
            b = dict(type='Resize', scale=(10, 10), scale_factor=2.0)
            c = dict(type='RandomFlip', prob=0.5, direction='sideways')
            """, file: "bad.py")
        #expect(throws: ConfigError.self) { try Registries.datasets.build(try cfg.view("a")) }
        #expect(throws: ConfigError.self) { try Registries.transforms.build(try cfg.view("b")) }
        #expect(throws: ConfigError.self) { try Registries.transforms.build(try cfg.view("c")) }
    }
}
