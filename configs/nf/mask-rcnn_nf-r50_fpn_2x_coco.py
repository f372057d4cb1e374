# Mask R-CNN with a normalizer-free ResNet-50 backbone (NF-ResNet-50, timm's NormFreeNet and its
# keys; Scaled Weight Standardization, no batch normalization) and adaptive gradient clipping;
# the pyramid and the heads with GN + Weight Standardization and the 2x schedule of the gn+ws
# config it derives from. Weights: timm's ImageNet nf_resnet50 (see
# faster-rcnn_nf-r50_fpn_1x_coco.py for where SwiftDet looks for the file).
_base_ = '../gn+ws/mask-rcnn_r50_fpn_gn-ws-all_2x_coco.py'
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
            'v0.1-weights/nf_resnet50_ra2-9f236009.pth')))

# AGC, the predictors left out (see faster-rcnn_nf-r50_fpn_1x_coco.py).
optim_wrapper = dict(
    clip_grad=dict(
        type='agc', clip_factor=0.01, eps=1e-3,
        exclude=['fc_cls', 'fc_reg', 'conv_logits', 'rpn_cls', 'rpn_reg']))
