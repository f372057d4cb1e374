import Config
import Foundation
import Testing

/// The project's configs/ tree: every file loads, merges and dumps; the files the issue lists
/// exist; and the merged values are those of reference §3 (mmdetection 3.3.0 read by mmengine).
@Suite struct ProjectConfigsTests {
    static let configsDir = Fixtures.packageRoot.appendingPathComponent("configs").path

    static func load(_ relative: String) throws -> ConfigDict {
        try ConfigLoader(environment: [:]).load(file: configsDir + "/" + relative).dict
    }

    /// The value at a dotted path ("model.backbone.depth", "train_pipeline.1.scale").
    static func at(_ dict: ConfigDict, _ path: String) -> ConfigValue? {
        var value: ConfigValue? = .dict(dict)
        for part in path.split(separator: ".").map(String.init) {
            switch value {
            case .dict(let d)?: value = d[part]
            case .list(let items)?, .tuple(let items)?:
                guard let i = Int(part), i < items.count else { return nil }
                value = items[i]
            default: return nil
            }
        }
        return value
    }

    static func expectValues(_ dict: ConfigDict, _ expected: [(String, ConfigValue)], _ what: String,
                             sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        for (path, value) in expected {
            let actual = at(dict, path)
            #expect(actual == value, "\(what): \(path) is \(actual.map(\.description) ?? "missing"), expected \(value)",
                    sourceLocation: sourceLocation)
        }
    }

    static let issueFiles = [
        "_base_/models/faster-rcnn_r50_fpn.py", "_base_/models/mask-rcnn_r50_fpn.py",
        "_base_/datasets/coco_detection.py", "_base_/datasets/coco_instance.py",
        "_base_/schedules/schedule_1x.py", "_base_/schedules/schedule_2x.py", "_base_/schedules/schedule_20e.py",
        "_base_/default_runtime.py",
        "faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py", "faster_rcnn/faster-rcnn_r50_fpn_2x_coco.py",
        "mask_rcnn/mask-rcnn_r50_fpn_1x_coco.py", "mask_rcnn/mask-rcnn_r50_fpn_2x_coco.py",
        "gn/mask-rcnn_r50_fpn_gn-all_2x_coco.py",
        "sn/faster-rcnn_r50_fpn_sn-all_2x_coco.py", "sn/mask-rcnn_r50_fpn_sn-all_2x_coco.py",
    ] + gnwsFaster + gnwsMask

    static let trunks = ["r50", "r101", "x50-32x4d", "x101-32x4d"]
    static let gnwsFaster = trunks.map { "gn+ws/faster-rcnn_\($0)_fpn_gn-ws-all_1x_coco.py" }
    static let gnwsMask = trunks.flatMap {
        ["gn+ws/mask-rcnn_\($0)_fpn_gn-ws-all_2x_coco.py", "gn+ws/mask-rcnn_\($0)_fpn_gn-ws-all_20-23-24e_coco.py"]
    }

    static func allConfigFiles() -> [String] {
        let files = FileManager.default.enumerator(atPath: configsDir)?.compactMap { $0 as? String } ?? []
        return files.filter { $0.hasSuffix(".py") }.sorted()
    }

    @Test func everyFileTheIssueListsExists() {
        let present = Set(Self.allConfigFiles())
        for file in Self.issueFiles {
            #expect(present.contains(file), "configs/\(file) is missing")
        }
        #expect(Self.gnwsFaster.count + Self.gnwsMask.count == 12)
    }

    /// Walks configs/: every file loads and merges, and its dumps read back to the same value.
    @Test func everyConfigLoadsMergesAndDumps() throws {
        let files = Self.allConfigFiles()
        #expect(files.count >= Self.issueFiles.count)
        for file in files {
            let dict = try Self.load(file)
            let python = try ConfigDump.python(dict)
            let again = try ConfigLoader(environment: [:]).load(text: python, file: "/nonexistent/\(file)").dict
            expectSame(.dict(again), .dict(dict), "configs/\(file) dumped as Python")
            #expect(!ConfigDump.json(dict).isEmpty)
        }
    }

    // MARK: - Reference §3.1: the Faster R-CNN baseline

    static let topLevelKeys = [
        "model", "dataset_type", "data_root", "backend_args", "train_pipeline", "test_pipeline",
        "train_dataloader", "val_dataloader", "test_dataloader", "val_evaluator", "test_evaluator",
        "train_cfg", "val_cfg", "test_cfg", "param_scheduler", "optim_wrapper", "auto_scale_lr",
        "default_scope", "default_hooks", "env_cfg", "vis_backends", "visualizer", "log_processor",
        "log_level", "load_from", "resume",
    ]

    @Test func fasterBaselineMatchesReference() throws {
        let cfg = try Self.load("faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py")
        #expect(cfg.keys == Self.topLevelKeys)
        Self.expectValues(cfg, Self.baselineModel + Self.baselineData + Self.baselineRuntime, "faster 1x")
        Self.expectValues(cfg, [
            ("model.type", "FasterRCNN"),
            ("model.train_cfg.rcnn.assigner.match_low_quality", false),
            ("val_evaluator.metric", "bbox"),
            ("train_pipeline.1", ["type": "LoadAnnotations", "with_bbox": true]),
        ], "faster 1x")
        #expect(Self.at(cfg, "model.data_preprocessor.pad_mask") == nil)
        #expect(Self.at(cfg, "model.roi_head.mask_head") == nil)
    }

    static let baselineModel: [(String, ConfigValue)] = [
        ("model.data_preprocessor", [
            "type": "DetDataPreprocessor", "mean": [123.675, 116.28, 103.53], "std": [58.395, 57.12, 57.375],
            "bgr_to_rgb": true, "pad_size_divisor": 32,
        ]),
        ("model.backbone", [
            "type": "ResNet", "depth": 50, "num_stages": 4, "out_indices": .tuple([0, 1, 2, 3]), "frozen_stages": 1,
            "norm_cfg": ["type": "BN", "requires_grad": true], "norm_eval": true, "style": "pytorch",
            "init_cfg": ["type": "Pretrained", "checkpoint": "torchvision://resnet50"],
        ]),
        ("model.neck", ["type": "FPN", "in_channels": [256, 512, 1024, 2048], "out_channels": 256, "num_outs": 5]),
        ("model.rpn_head.type", "RPNHead"), ("model.rpn_head.in_channels", 256), ("model.rpn_head.feat_channels", 256),
        ("model.rpn_head.anchor_generator", [
            "type": "AnchorGenerator", "scales": [8], "ratios": [0.5, 1.0, 2.0], "strides": [4, 8, 16, 32, 64],
        ]),
        ("model.rpn_head.bbox_coder", [
            "type": "DeltaXYWHBBoxCoder", "target_means": [0.0, 0.0, 0.0, 0.0], "target_stds": [1.0, 1.0, 1.0, 1.0],
        ]),
        ("model.rpn_head.loss_cls", ["type": "CrossEntropyLoss", "use_sigmoid": true, "loss_weight": 1.0]),
        ("model.rpn_head.loss_bbox", ["type": "L1Loss", "loss_weight": 1.0]),
        ("model.roi_head.type", "StandardRoIHead"),
        ("model.roi_head.bbox_roi_extractor", [
            "type": "SingleRoIExtractor", "roi_layer": ["type": "RoIAlign", "output_size": 7, "sampling_ratio": 0],
            "out_channels": 256, "featmap_strides": [4, 8, 16, 32],
        ]),
        ("model.roi_head.bbox_head.type", "Shared2FCBBoxHead"), ("model.roi_head.bbox_head.in_channels", 256),
        ("model.roi_head.bbox_head.fc_out_channels", 1024), ("model.roi_head.bbox_head.roi_feat_size", 7),
        ("model.roi_head.bbox_head.num_classes", 80), ("model.roi_head.bbox_head.reg_class_agnostic", false),
        ("model.roi_head.bbox_head.bbox_coder.target_stds", [0.1, 0.1, 0.2, 0.2]),
        ("model.roi_head.bbox_head.loss_cls", ["type": "CrossEntropyLoss", "use_sigmoid": false, "loss_weight": 1.0]),
        ("model.roi_head.bbox_head.loss_bbox", ["type": "L1Loss", "loss_weight": 1.0]),
        ("model.train_cfg.rpn.assigner", [
            "type": "MaxIoUAssigner", "pos_iou_thr": 0.7, "neg_iou_thr": 0.3, "min_pos_iou": 0.3,
            "match_low_quality": true, "ignore_iof_thr": -1,
        ]),
        ("model.train_cfg.rpn.sampler", [
            "type": "RandomSampler", "num": 256, "pos_fraction": 0.5, "neg_pos_ub": -1, "add_gt_as_proposals": false,
        ]),
        ("model.train_cfg.rpn.allowed_border", -1), ("model.train_cfg.rpn.pos_weight", -1),
        ("model.train_cfg.rpn_proposal", [
            "nms_pre": 2000, "max_per_img": 1000, "nms": ["type": "nms", "iou_threshold": 0.7], "min_bbox_size": 0,
        ]),
        ("model.train_cfg.rcnn.assigner.pos_iou_thr", 0.5), ("model.train_cfg.rcnn.assigner.neg_iou_thr", 0.5),
        ("model.train_cfg.rcnn.assigner.min_pos_iou", 0.5), ("model.train_cfg.rcnn.assigner.ignore_iof_thr", -1),
        ("model.train_cfg.rcnn.sampler", [
            "type": "RandomSampler", "num": 512, "pos_fraction": 0.25, "neg_pos_ub": -1, "add_gt_as_proposals": true,
        ]),
        ("model.train_cfg.rcnn.pos_weight", -1),
        ("model.test_cfg.rpn", [
            "nms_pre": 1000, "max_per_img": 1000, "nms": ["type": "nms", "iou_threshold": 0.7], "min_bbox_size": 0,
        ]),
        ("model.test_cfg.rcnn.score_thr", 0.05), ("model.test_cfg.rcnn.nms", ["type": "nms", "iou_threshold": 0.5]),
        ("model.test_cfg.rcnn.max_per_img", 100),
    ]

    static let baselineData: [(String, ConfigValue)] = [
        ("dataset_type", "CocoDataset"), ("data_root", "data/coco/"), ("backend_args", nil),
        ("train_pipeline.0", ["type": "LoadImageFromFile", "backend_args": nil]),
        ("train_pipeline.2", ["type": "Resize", "scale": .tuple([1333, 800]), "keep_ratio": true]),
        ("train_pipeline.3", ["type": "RandomFlip", "prob": 0.5]),
        ("train_pipeline.4", ["type": "PackDetInputs"]),
        ("test_pipeline.1", ["type": "Resize", "scale": .tuple([1333, 800]), "keep_ratio": true]),
        ("test_pipeline.3.meta_keys", .tuple(["img_id", "img_path", "ori_shape", "img_shape", "scale_factor"])),
        ("train_dataloader.batch_size", 2), ("train_dataloader.num_workers", 2),
        ("train_dataloader.persistent_workers", true),
        ("train_dataloader.sampler", ["type": "DefaultSampler", "shuffle": true]),
        ("train_dataloader.batch_sampler", ["type": "AspectRatioBatchSampler"]),
        ("train_dataloader.dataset.ann_file", "annotations/instances_train2017.json"),
        ("train_dataloader.dataset.data_prefix", ["img": "train2017/"]),
        ("train_dataloader.dataset.filter_cfg", ["filter_empty_gt": true, "min_size": 32]),
        ("val_dataloader.batch_size", 1), ("val_dataloader.drop_last", false),
        ("val_dataloader.sampler", ["type": "DefaultSampler", "shuffle": false]),
        ("val_dataloader.dataset.ann_file", "annotations/instances_val2017.json"),
        ("val_dataloader.dataset.data_prefix", ["img": "val2017/"]), ("val_dataloader.dataset.test_mode", true),
        ("val_evaluator.type", "CocoMetric"), ("val_evaluator.ann_file", "data/coco/annotations/instances_val2017.json"),
        ("val_evaluator.format_only", false),
    ]

    static let baselineRuntime: [(String, ConfigValue)] = [
        ("train_cfg", ["type": "EpochBasedTrainLoop", "max_epochs": 12, "val_interval": 1]),
        ("param_scheduler", [
            ["type": "LinearLR", "start_factor": 0.001, "by_epoch": false, "begin": 0, "end": 500],
            ["type": "MultiStepLR", "begin": 0, "end": 12, "by_epoch": true, "milestones": [8, 11], "gamma": 0.1],
        ]),
        ("optim_wrapper", ["type": "OptimWrapper", "optimizer": ["type": "SGD", "lr": 0.02, "momentum": 0.9, "weight_decay": 0.0001]]),
        ("auto_scale_lr", ["enable": false, "base_batch_size": 16]),
        ("default_scope", "mmdet"),
        ("default_hooks.logger", ["type": "LoggerHook", "interval": 50]),
        ("default_hooks.checkpoint", ["type": "CheckpointHook", "interval": 1]),
        ("default_hooks.visualization", ["type": "DetVisualizationHook"]),
        ("log_processor", ["type": "LogProcessor", "window_size": 50, "by_epoch": true]),
        ("env_cfg", [
            "cudnn_benchmark": false, "mp_cfg": ["mp_start_method": "fork", "opencv_num_threads": 0],
            "dist_cfg": ["backend": "nccl"],
        ]),
        ("vis_backends", [["type": "LocalVisBackend"]]),
        ("log_level", "INFO"), ("load_from", nil), ("resume", false),
    ]

    // MARK: - Reference §3.2: deltas

    @Test func fasterTwoXAndMaskBaselines() throws {
        let faster2x = try Self.load("faster_rcnn/faster-rcnn_r50_fpn_2x_coco.py")
        Self.expectValues(faster2x, Self.baselineModel + Self.baselineData + Self.schedule(24, [16, 22]), "faster 2x")
        for (file, epochs, milestones) in [("mask_rcnn/mask-rcnn_r50_fpn_1x_coco.py", 12, [8, 11]),
                                           ("mask_rcnn/mask-rcnn_r50_fpn_2x_coco.py", 24, [16, 22])] {
            let cfg = try Self.load(file)
            #expect(cfg.keys == Self.topLevelKeys)
            Self.expectValues(cfg, Self.maskDeltas + Self.schedule(epochs, milestones), file)
        }
    }

    static func schedule(_ epochs: Int, _ milestones: [Int]) -> [(String, ConfigValue)] {
        [
            ("train_cfg.max_epochs", .int(epochs)),
            ("param_scheduler.0", ["type": "LinearLR", "start_factor": 0.001, "by_epoch": false, "begin": 0, "end": 500]),
            ("param_scheduler.1.end", .int(epochs)),
            ("param_scheduler.1.milestones", .list(milestones.map(ConfigValue.int))),
            ("optim_wrapper.optimizer.lr", 0.02),
        ]
    }

    static let maskDeltas: [(String, ConfigValue)] = [
        ("model.type", "MaskRCNN"), ("model.data_preprocessor.pad_mask", true),
        ("train_pipeline.1", ["type": "LoadAnnotations", "with_bbox": true, "with_mask": true]),
        ("test_pipeline.2", ["type": "LoadAnnotations", "with_bbox": true, "with_mask": true]),
        ("model.train_cfg.rcnn.assigner.match_low_quality", true), ("model.train_cfg.rcnn.mask_size", 28),
        ("model.roi_head.mask_roi_extractor.roi_layer", ["type": "RoIAlign", "output_size": 14, "sampling_ratio": 0]),
        ("model.roi_head.mask_roi_extractor.featmap_strides", [4, 8, 16, 32]),
        ("model.roi_head.mask_head.type", "FCNMaskHead"), ("model.roi_head.mask_head.num_convs", 4),
        ("model.roi_head.mask_head.in_channels", 256), ("model.roi_head.mask_head.conv_out_channels", 256),
        ("model.roi_head.mask_head.num_classes", 80),
        ("model.roi_head.mask_head.loss_mask", ["type": "CrossEntropyLoss", "use_mask": true, "loss_weight": 1.0]),
        ("model.test_cfg.rcnn.mask_thr_binary", 0.5), ("val_evaluator.metric", ["bbox", "segm"]),
    ]

    static let gn32: ConfigValue = ["type": "GN", "num_groups": 32, "requires_grad": true]
    /// A GN dict merged over the base's BN dict keeps the BN keys' order.
    static let gn32OverBN: ConfigValue = ["type": "GN", "requires_grad": true, "num_groups": 32]

    @Test(arguments: gnwsFaster + gnwsMask)
    func gnwsConfigsMatchReference(_ file: String) throws {
        let cfg = try Self.load(file)
        let isMask = file.hasPrefix("gn+ws/mask")
        let trunk = Self.trunks.first { file.contains("_\($0)_") }!
        let depth = trunk.contains("101") ? 101 : 50
        let resnext = trunk.hasPrefix("x")
        let checkpoint = resnext ? "open-mmlab://jhu/resnext\(depth)_32x4d_gn_ws" : "open-mmlab://jhu/resnet\(depth)_gn_ws"
        var expected: [(String, ConfigValue)] = [
            ("model.backbone.type", .string(resnext ? "ResNeXt" : "ResNet")), ("model.backbone.depth", .int(depth)),
            ("model.backbone.conv_cfg", ["type": "ConvWS"]), ("model.backbone.norm_cfg", Self.gn32OverBN),
            ("model.backbone.init_cfg", ["type": "Pretrained", "checkpoint": .string(checkpoint)]),
            ("model.backbone.frozen_stages", 1), ("model.backbone.norm_eval", true), ("model.backbone.style", "pytorch"),
            ("model.neck.conv_cfg", ["type": "ConvWS"]), ("model.neck.norm_cfg", Self.gn32),
            ("model.roi_head.bbox_head.type", "Shared4Conv1FCBBoxHead"),
            ("model.roi_head.bbox_head.conv_out_channels", 256), ("model.roi_head.bbox_head.fc_out_channels", 1024),
            ("model.roi_head.bbox_head.conv_cfg", ["type": "ConvWS"]), ("model.roi_head.bbox_head.norm_cfg", Self.gn32),
            ("conv_cfg", ["type": "ConvWS"]), ("norm_cfg", Self.gn32),
        ]
        if resnext { expected += [("model.backbone.groups", 32), ("model.backbone.base_width", 4)] }
        if isMask {
            let milestones = file.contains("20-23-24e") ? [20, 23] : [16, 22]
            expected += Self.maskDeltas + Self.schedule(24, milestones) + [
                ("max_epochs", 24),
                ("model.roi_head.mask_head.conv_cfg", ["type": "ConvWS"]), ("model.roi_head.mask_head.norm_cfg", Self.gn32),
            ]
        } else {
            expected += Self.schedule(12, [8, 11]) + [("model.type", "FasterRCNN")]
        }
        Self.expectValues(cfg, expected, file)
        #expect(Self.at(cfg, "model.rpn_head.conv_cfg") == nil && Self.at(cfg, "model.rpn_head.norm_cfg") == nil)
        #expect(cfg.keys == Self.topLevelKeys + (isMask ? ["conv_cfg", "norm_cfg", "max_epochs"] : ["conv_cfg", "norm_cfg"]))
    }

    @Test func groupNormConfigMatchesReference() throws {
        let cfg = try Self.load("gn/mask-rcnn_r50_fpn_gn-all_2x_coco.py")
        Self.expectValues(cfg, Self.maskDeltas + Self.schedule(24, [16, 22]) + [
            ("model.data_preprocessor.mean", [103.53, 116.28, 123.675]),
            ("model.data_preprocessor.std", [1.0, 1.0, 1.0]), ("model.data_preprocessor.bgr_to_rgb", false),
            ("model.backbone.norm_cfg", Self.gn32OverBN),
            ("model.backbone.init_cfg.checkpoint", "open-mmlab://detectron/resnet50_gn"),
            ("model.neck.norm_cfg", Self.gn32), ("model.roi_head.bbox_head.type", "Shared4Conv1FCBBoxHead"),
            ("model.roi_head.bbox_head.norm_cfg", Self.gn32), ("model.roi_head.mask_head.norm_cfg", Self.gn32),
        ], "gn")
        #expect(Self.at(cfg, "model.backbone.conv_cfg") == nil && Self.at(cfg, "conv_cfg") == nil)
    }

    @Test(arguments: ["sn/faster-rcnn_r50_fpn_sn-all_2x_coco.py", "sn/mask-rcnn_r50_fpn_sn-all_2x_coco.py"])
    func switchableNormConfigs(_ file: String) throws {
        let cfg = try Self.load(file)
        let sn: ConfigValue = ["type": "SN", "using_moving_average": true, "using_bn": true]
        var expected: [(String, ConfigValue)] = Self.schedule(24, [16, 22]) + [
            ("norm_cfg", sn), ("model.neck.norm_cfg", sn), ("model.roi_head.bbox_head.norm_cfg", sn),
            ("model.backbone.norm_cfg.type", "SN"), ("model.backbone.norm_cfg.using_moving_average", true),
            ("model.backbone.norm_cfg.using_bn", true), ("model.backbone.norm_eval", false),
            ("model.backbone.frozen_stages", 1),
            ("model.roi_head.bbox_head.type", "Shared4Conv1FCBBoxHead"), ("model.roi_head.bbox_head.conv_out_channels", 256),
            ("optim_wrapper.paramwise_cfg.custom_keys", [".sn": ["decay_mult": 0.0], "downsample.1": ["decay_mult": 0.0]]),
            ("optim_wrapper.optimizer.weight_decay", 0.0001),
        ]
        if file.contains("mask") { expected += Self.maskDeltas + [("model.roi_head.mask_head.norm_cfg", sn)] }
        Self.expectValues(cfg, expected, file)
        #expect(Self.at(cfg, "model.rpn_head.norm_cfg") == nil && Self.at(cfg, "conv_cfg") == nil)
    }
}
