import Datasets
import Foundation
import Structures
import Testing

/// Counts, label mapping and filtering on both real datasets. Expected numbers come from
/// mmdetection's parse/filter rules applied with pycocotools to the same files.
@Suite struct CocoDatasetTests {
    @Test func cocoSampleHasEveryImageAndUsableInstance() throws {
        let ds = try Build.cocoSample(filter: .init(filterEmptyGT: true, minSize: 32))
        #expect(ds.count == 160)
        #expect(ds.classes.count == 80 && ds.categoryIds.first == 1 && ds.categoryIds.last == 90)
        #expect(ds.classes.last == "toothbrush")
        #expect(ds.dataList.map(\.imgId).prefix(3) == [790, 8193, 24577])  // file order
        let instances = ds.dataList.flatMap(\.instances)
        #expect(instances.count == 1444)
        #expect(instances.filter(\.ignoreFlag).count == 14)  // crowd regions
        let first = ds.dataList[0]
        #expect(first.instances.prefix(10).map(\.label) == [16, 58, 56, 56, 56, 60, 0, 0, 0, 0])
        #expect(first.imgPath.hasSuffix("images/000000000790.jpg") && first.width == 640 && first.height == 422)
        let b = first.instances[0].bbox
        #expect(b[2] > b[0] && b[3] > b[1])
    }

    @Test func labelIsThePositionInTheSortedCategoryIds() throws {
        let ds = try Build.cocoSample()
        let toothbrush = ds.dataList.flatMap(\.instances).filter { $0.label == 79 }
        #expect(toothbrush.count == 9)
        #expect(ds.categoryIds[79] == 90 && ds.categoryIds[11] == 13)  // id 12 does not exist
    }

    @Test func fruitsNutsSplits() throws {
        let train = try Build.fruits("train"), val = try Build.fruits("val")
        #expect(train.count == 14 && train.dataList.flatMap(\.instances).count == 127)
        #expect(val.count == 4 && val.dataList.flatMap(\.instances).count == 38)
        #expect(train.classes == ["date", "fig", "hazelnut"])
        #expect(val.dataList[0].imgId == 4)
        #expect(val.dataList[0].instances.prefix(10).map(\.label) == [1, 1, 1, 1, 2, 2, 2, 0, 0, 0])
    }

    @Test func metainfoClassesChooseAndOrderTheLabels() throws {
        let ds = try Build.fruits("train", classes: ["hazelnut", "date"])
        #expect(ds.categoryIds == [3, 1])
        #expect(ds.dataList.flatMap(\.instances).count == 99)
        #expect(ds.dataList[0].instances.map(\.label) == [1, 1, 1, 1, 1, 0, 0, 0])
    }

    @Test func filterEmptyGTKeepsImagesWithTheChosenClasses() throws {
        let filtered = try Build.cocoSample(classes: ["toothbrush"], filter: .init(filterEmptyGT: true, minSize: 32))
        #expect(Set(filtered.dataList.map(\.imgId)) == [72258, 354306, 409194, 432430])
        let two = try Build.cocoSample(classes: ["toothbrush", "hair drier"], filter: .init(filterEmptyGT: true))
        #expect(two.count == 5)
        let unfiltered = try Build.cocoSample(classes: ["toothbrush"])
        #expect(unfiltered.count == 160)
        let testMode = try Build.cocoSample(classes: ["toothbrush"], filter: .init(filterEmptyGT: true), testMode: true)
        #expect(testMode.count == 160)
    }

    @Test func minSizeDropsSmallImages() throws {
        let ds = try Build.cocoSample(filter: .init(filterEmptyGT: false, minSize: 480))
        #expect(ds.count == 58)
        #expect(ds.dataList.allSatisfy { min($0.width, $0.height) >= 480 })
    }
}
