# Mask R-CNN R50-FPN with Switchable Normalization (Luo et al., "Differentiable Learning-to-
# Normalize via Switchable Normalization"; settings of switchablenorms/SwitchNorm_Detection):
# SN replaces BN in the stem, every bottleneck and shortcut of the trunk, the pyramid's lateral
# and output convs, a 4conv1fc box head and the four mask-head convs. mmdetection has no SN
# config; this one is ours.
_base_ = '../mask_rcnn/mask-rcnn_r50_fpn_2x_coco.py'
# each layer mixes IN, LN and BN statistics with learned weights; the BN part keeps moving
# averages for testing
norm_cfg = dict(type='SN', using_moving_average=True, using_bn=True)
model = dict(
    backbone=dict(
        norm_cfg=norm_cfg,
        # SN layers train in training mode (batch statistics, moving averages updated);
        # the stem and the first stage stay frozen, as FREEZE_AT 2 there
        norm_eval=False,
        init_cfg=dict(type='Pretrained', checkpoint='pretrained/resnet50v1_sn_8x32.pth')),
    neck=dict(norm_cfg=norm_cfg),
    roi_head=dict(
        bbox_head=dict(type='Shared4Conv1FCBBoxHead', conv_out_channels=256, norm_cfg=norm_cfg),
        mask_head=dict(norm_cfg=norm_cfg)))

# no weight decay on SN parameters (scale, shift and both sets of importance logits): SN
# layers are named sn1..sn3 / sn, except the shortcut's norm, which is downsample.1
optim_wrapper = dict(
    paramwise_cfg=dict(
        custom_keys={
            '.sn': dict(decay_mult=0.0),
            'downsample.1': dict(decay_mult=0.0),
        }))
