# Faster R-CNN R50-FPN with Group Normalization + Weight Standardization everywhere
# (Qiao et al., "Micro-Batch Training with Batch-Channel Normalization and Weight
# Standardization"): WS convs and GN(32) in the trunk, the pyramid and a 4conv1fc box head;
# the RPN head and the fully connected layers stay plain. Weights: JHU's GN+WS ResNet-50.
_base_ = '../faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py'
conv_cfg = dict(type='ConvWS')
norm_cfg = dict(type='GN', num_groups=32, requires_grad=True)
model = dict(
    backbone=dict(
        conv_cfg=conv_cfg,
        norm_cfg=norm_cfg,
        init_cfg=dict(type='Pretrained', checkpoint='open-mmlab://jhu/resnet50_gn_ws')),
    neck=dict(conv_cfg=conv_cfg, norm_cfg=norm_cfg),
    roi_head=dict(
        bbox_head=dict(
            type='Shared4Conv1FCBBoxHead',
            conv_out_channels=256,
            conv_cfg=conv_cfg,
            norm_cfg=norm_cfg)))
