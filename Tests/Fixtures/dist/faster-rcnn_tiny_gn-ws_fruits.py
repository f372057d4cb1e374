# The data-parallel tests' model: the demo's GN+WS detector without its mask head, narrower
# (stage widths 16..128, pyramid 32), trained on 128x96 images. It meets the conditions under
# which 2 processes x 1 image train as 1 process x 2 images (../../../README.md, "Training on
# several processes"): per-sample norms (GN), the same per-image loss normalizers, and
# same-size images (all fruits_nuts photos are 800x600), so that a batch pads nothing.
#
# One more condition makes "the same" testable within float32 rounding: the R-CNN stage takes
# every anchor's proposal (no NMS, no top-k) and samples all of them, with no ground truth
# added. With mmdetection's settings (top 1000 after NMS, 512 sampled in score order) two
# proposals whose scores differ in the last bit swap places when the summation order changes,
# and another RoI is sampled: a discrete change that the next steps amplify (measured here:
# 0.4% of the first step's gradient with the Haswell kernel, where batch 1 and batch 2 round
# differently; two BLAS kernels in one process differ as much).
_base_ = '../../../configs/demo/mask-rcnn_r18_fpn_gn-ws_fruits-nuts.py'
width = 32
model = dict(
    type='FasterRCNN',
    backbone=dict(base_channels=16),
    neck=dict(in_channels=[16, 32, 64, 128], out_channels=width),
    rpn_head=dict(in_channels=width, feat_channels=width),
    roi_head=dict(
        bbox_roi_extractor=dict(out_channels=width),
        bbox_head=dict(in_channels=width, conv_out_channels=width, fc_out_channels=64),
        mask_roi_extractor=None,
        mask_head=None),
    train_cfg=dict(
        rpn_proposal=dict(nms_pre=100000, max_per_img=100000, nms=dict(iou_threshold=1.0)),
        rcnn=dict(sampler=dict(num=100000, add_gt_as_proposals=False))),
    test_cfg=dict(rcnn=dict(max_per_img=20)))
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=(128, 96), keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(400, 300), keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='PackDetInputs', meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]
# Two images, one step per epoch: a checkpoint after every step.
train_dataloader = dict(
    batch_size=2,
    num_workers=0,
    dataset=dict(indices=2, pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(metric='bbox')
test_evaluator = val_evaluator
max_epochs = 3
train_cfg = dict(max_epochs=max_epochs, val_interval=3)
param_scheduler = []
optim_wrapper = dict(optimizer=dict(lr=0.01))
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=1, max_keep_ckpts=3))
log_processor = dict(window_size=1)
