# The demo: a small Mask R-CNN trained from scratch on the bundled fruits_nuts data set
# (data/fruits_nuts: 14 train / 4 val photos, 3 classes) in a few minutes on 2 CPU cores.
# A narrow ResNet-18 trunk and pyramid with GN + Weight Standardization everywhere (GN+WS
# trains from scratch without pretrained weights or large batches), short side 512.
_base_ = [
    '../_base_/models/mask-rcnn_r50_fpn.py',
    '../_base_/datasets/coco_instance.py',
    '../_base_/schedules/schedule_1x.py',
    '../_base_/default_runtime.py',
]
conv_cfg = dict(type='ConvWS')
norm_cfg = dict(type='GN', num_groups=8, requires_grad=True)
width = 64  # channels of the pyramid and the heads
model = dict(
    backbone=dict(
        depth=18,
        base_channels=32,
        frozen_stages=-1,
        conv_cfg=conv_cfg,
        norm_cfg=norm_cfg,
        norm_eval=False,
        init_cfg=None),
    neck=dict(in_channels=[32, 64, 128, 256], out_channels=width, conv_cfg=conv_cfg, norm_cfg=norm_cfg),
    rpn_head=dict(in_channels=width, feat_channels=width),
    roi_head=dict(
        bbox_roi_extractor=dict(out_channels=width),
        bbox_head=dict(
            type='Shared4Conv1FCBBoxHead',
            in_channels=width,
            conv_out_channels=width,
            fc_out_channels=256,
            num_classes=3,
            conv_cfg=conv_cfg,
            norm_cfg=norm_cfg),
        mask_roi_extractor=dict(out_channels=width),
        mask_head=dict(
            in_channels=width,
            conv_out_channels=width,
            num_classes=3,
            conv_cfg=conv_cfg,
            norm_cfg=norm_cfg)),
    # 256 sampled RoIs per image instead of 512: half the R-CNN work, plenty for ~10 objects
    train_cfg=dict(rcnn=dict(sampler=dict(num=256))))

data_root = 'data/fruits_nuts/'
metainfo = dict(classes=('date', 'fig', 'hazelnut'))
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='Resize', scale=(683, 512), keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(683, 512), keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='PackDetInputs', meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]
train_dataloader = dict(
    batch_size=2,
    num_workers=2,
    dataset=dict(
        data_root=data_root,
        metainfo=metainfo,
        ann_file='annotations/instances_train.json',
        data_prefix=dict(img='images/'),
        pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        metainfo=metainfo,
        ann_file='annotations/instances_val.json',
        data_prefix=dict(img='images/'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=data_root + 'annotations/instances_val.json')
test_evaluator = val_evaluator

# 24 epochs of 7 iterations (batch 2): lr 0.02 after a 100-iteration warm-up, / 10 after
# epochs 18 and 22; validation every 4 epochs (the mAP curve), one checkpoint kept.
max_epochs = 24
train_cfg = dict(max_epochs=max_epochs, val_interval=4)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=100),
    dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True, milestones=[18, 22], gamma=0.1),
]
optim_wrapper = dict(optimizer=dict(lr=0.02), clip_grad=dict(max_norm=35, norm_type=2))
default_hooks = dict(logger=dict(interval=7), checkpoint=dict(interval=4, max_keep_ckpts=1))
log_processor = dict(window_size=7)
randomness = dict(seed=0)
