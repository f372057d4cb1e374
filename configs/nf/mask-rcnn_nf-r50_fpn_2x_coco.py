# Mask R-CNN with a normalizer-free ResNet-50 backbone (NF-ResNet-50, timm's NormFreeNet and its
# keys; Scaled Weight Standardization, no batch normalization) and adaptive gradient clipping,
# the pyramid and the heads with GN + Weight Standardization as mmdetection's gn+ws configs
# (4conv1fc box head, the four mask-head convs); 24 epochs. Weights: timm's ImageNet
# nf_resnet50 (see faster-rcnn_nf-r50_fpn_1x_coco.py for where SwiftDet looks for the file).
_base_ = '../mask_rcnn/mask-rcnn_r50_fpn_1x_coco.py'
conv_cfg = dict(type='ConvWS')
norm_cfg = dict(type='GN', num_groups=32, requires_grad=True)
model = dict(
    backbone=dict(
        _delete_=True,
        type='NormFreeResNet',
        arch='nf_resnet50',
        out_indices=(0, 1, 2, 3),
        frozen_stages=1,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://github.com/rwightman/pytorch-image-models/releases/download/'
            'v0.1-weights/nf_resnet50_ra2-9f236009.pth')),
    neck=dict(conv_cfg=conv_cfg, norm_cfg=norm_cfg),
    roi_head=dict(
        bbox_head=dict(
            type='Shared4Conv1FCBBoxHead',
            conv_out_channels=256,
            conv_cfg=conv_cfg,
            norm_cfg=norm_cfg),
        mask_head=dict(conv_cfg=conv_cfg, norm_cfg=norm_cfg)))

optim_wrapper = dict(
    clip_grad=dict(
        type='agc', clip_factor=0.01, eps=1e-3,
        exclude=['fc_cls', 'fc_reg', 'conv_logits', 'rpn_cls', 'rpn_reg']))

# 2x: 24 epochs, learning rate divided by 10 after epochs 16 and 22
max_epochs = 24
train_cfg = dict(max_epochs=max_epochs)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=500),
    dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True, milestones=[16, 22], gamma=0.1),
]
