import Config
import Datasets
import Foundation
import Testing

/// configs/_base_/datasets/coco_instance.py builds the train and val dataloaders through the
/// registries (pointed at coco_sample with --cfg-options).
@Suite struct ConfigBuildTests {
    static func config() throws -> ConfigView {
        let path = TestData.packageRoot.appendingPathComponent("configs/_base_/datasets/coco_instance.py").path
        let base = try ConfigLoader().load(file: path)
        let root = try TestData.cocoSample + "/"
        var options: [String] = []
        for loader in ["train_dataloader", "val_dataloader"] {
            options += ["\(loader).dataset.data_root=\(root)",
                        "\(loader).dataset.ann_file=annotations/instances_train2017_sample.json",
                        "\(loader).dataset.data_prefix.img=images/",
                        // The fixture keeps 16 of the 160 images its file lists.
                        "\(loader).dataset.on_bad_sample=skip"]
        }
        return ConfigView(dict: try CfgOptions.apply(options, to: base.dict), source: path)
    }

    @Test func trainAndValDataloadersBuildAndLoad() throws {
        let cfg = try Self.config()
        let train = try DataLoader(config: try cfg.view("train_dataloader"), seed: 3)
        #expect(train.batchSize == 2 && train.numWorkers == 2 && train.batchSampler == .aspectRatio(dropLast: false))
        #expect(train.dataset.count == 160 && !train.dataset.testMode)
        #expect(train.dataset.pipeline.transforms.count == 5)
        let batches = train.batchIndices(epoch: 0)
        #expect(batches.count == 80)
        for b in batches.prefix(3) {
            let wide = b.map { train.dataset.info($0).width >= train.dataset.info($0).height }
            #expect(Set(wide).count == 1)  // one aspect-ratio bucket per batch
        }
        let it = train.epoch(0)
        let first = try #require(try it.next())
        #expect(first.count == 2)
        #expect(first.allSatisfy { max($0.image.height, $0.image.width) <= 1333 && min($0.image.height, $0.image.width) <= 800 })
        #expect(first.allSatisfy { $0.sample.gtInstances.masks != nil && $0.sample.meta.flip != nil })

        let val = try DataLoader(config: try cfg.view("val_dataloader"), seed: 3)
        #expect(val.batchSize == 1 && val.dataset.testMode && val.batchSampler == .plain(dropLast: false))
        #expect(val.batchIndices(epoch: 0).prefix(3) == [[0], [1], [2]])
        let v = try #require(try val.epoch(0).next())
        #expect(v[0].sample.meta.flip == nil && v[0].sample.meta.imgId == 790)
    }

    /// The bundled fruits_nuts train set through the registry, with one more argument.
    static func fruitsNuts(_ argument: String) throws -> CocoDataset {
        let root = try TestData.project("data/fruits_nuts")
        let text = "dataset = dict(type='CocoDataset', data_root='\(root)/', ann_file='annotations/instances_train.json', "
            + "data_prefix=dict(img='images/'), \(argument))"
        let cfg = try ConfigLoader().load(text: text, file: "/tmp/fruits_nuts.py")
        guard let built = try Registries.datasets.build(try cfg.view("dataset")) as? CocoDataset else { throw DatasetError.pipeline("not a CocoDataset") }
        return built
    }

    /// metainfo.palette: one (R, G, B) per class is kept for drawing; too few colours or a
    /// colour that is not three bytes is an error naming the key.
    @Test func metainfoPaletteIsReadAndChecked() throws {
        func build(_ palette: String) throws -> CocoDataset {
            try Self.fruitsNuts("metainfo=dict(classes=('date', 'fig', 'hazelnut'), palette=\(palette))")
        }
        #expect(try build("[(220, 20, 60), (0, 0, 142), (0, 60, 100)]").palette == [[220, 20, 60], [0, 0, 142], [0, 60, 100]])
        #expect(try build("None").palette == nil)
        for (bad, words) in [("[(220, 20, 60)]", "1 colours for 3 classes"), ("[(220, 20), (0, 0, 142), (0, 60, 100)]", "colour 0"),
                             ("[(220, 20, 60), (0, 0, 300), (0, 60, 100)]", "colour 1"), ("'coco'", "list of (R, G, B)")] {
            #expect { try build(bad) } throws: { "\($0)".contains("palette") && "\($0)".contains(words) }
        }
    }

    /// mmengine's `indices`: an int keeps the first n images, all of them when n is at least
    /// their number (2^63 - 1 included: it built a range of that many before); a list keeps
    /// those images, and one past the end is an error.
    @Test func indicesKeepTheFirstImagesOrTheListed() throws {
        func build(_ indices: String) throws -> CocoDataset { try Self.fruitsNuts("indices=\(indices)") }
        let all = try build("None")
        #expect(all.count == 14)
        #expect(try build("3").count == 3 && build("0").count == 0)
        #expect(try build("9223372036854775807").count == 14 && build("14").count == 14)
        let listed = try build("[5, 0]")
        #expect(listed.count == 2 && listed.info(0).imgId == all.info(5).imgId && listed.info(1).imgId == all.info(0).imgId)
        #expect { try build("[14]") } throws: { "\($0)".contains("indices: 14 is outside 0..<14") }
        #expect { try build("-1") } throws: { "\($0)".contains("indices") }
    }
}
