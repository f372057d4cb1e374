# The demo with no normalization in the backbone: a normalizer-free ResNet (NF-ResNet, Brock et
# al. 2021; timm's NormFreeNet) trained from scratch with adaptive gradient clipping (AGC) on the
# bundled fruits_nuts data set. Everything else is the GN+WS demo's (pyramid and heads with GN +
# Weight Standardization, schedule, data).
_base_ = './mask-rcnn_r18_fpn_gn-ws_fruits-nuts.py'

model = dict(
    backbone=dict(
        _delete_=True,
        type='NormFreeResNet',
        arch='nf_resnet26',  # 2 blocks per stage, as ResNet-18
        channels=(64, 128, 256, 512),
        stem_chs=32,
        bottle_ratio=0.5,  # 3x3 convs 32...256 wide, as the demo's ResNet-18
        init_cfg=None),
    neck=dict(in_channels=[64, 128, 256, 512]))

# AGC (a SwiftDet clip_grad type): each output unit's gradient is clipped to clip_factor times
# its weights' norm, which lets the NF net train at 4x the GN+WS demo's learning rate. The
# paper finds that larger batches need smaller factors (0.01 at 4096 images); at this batch of
# 2, 0.04 trained best of those tried. The predictors are left out, as the paper leaves out the
# classifier: the R-CNN's (the default exclude list) and the RPN's, whose small initial weights
# (std 0.01) would otherwise hold their updates near zero. Measured (mask AP on val): lr 0.08
# with AGC 0.602, without 0.544; lr 0.02 with AGC 0.04 0.559, 0.01 0.484, without 0.575.
optim_wrapper = dict(
    optimizer=dict(lr=0.08),
    clip_grad=dict(
        _delete_=True, type='agc', clip_factor=0.04, eps=1e-3,
        exclude=['fc_cls', 'fc_reg', 'conv_logits', 'rpn_cls', 'rpn_reg']))
