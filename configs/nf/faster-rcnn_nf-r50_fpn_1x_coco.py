# Faster R-CNN with a normalizer-free ResNet-50 backbone (NF-ResNet-50: Brock et al. 2021,
# "Characterizing signal propagation to close the performance gap in unnormalized ResNets";
# timm's NormFreeNet, its keys): Scaled Weight Standardization instead of batch normalization,
# and adaptive gradient clipping (AGC, "High-Performance Large-Scale Image Recognition Without
# Normalization"). The pyramid and the heads are mmdetection's defaults, which have no norm
# either, so the whole detector is normalizer-free. Weights: timm's ImageNet nf_resnet50.
# SwiftDet downloads nothing: put the file of the URL below (nf_resnet50_ra2-9f236009.pth) in
# ~/.cache/torch/hub/checkpoints or in a folder named by SWIFTDET_WEIGHTS, or set checkpoint to
# a local timm file of the same weights, such as the Hugging Face hub's
# timm/nf_resnet50.ra2_in1k model.safetensors (timm's keys, as here).
_base_ = '../faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py'
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

# AGC in place of mmdetection's default (no clipping): each output unit's gradient at most
# clip_factor times its weights' norm, the predictors left out (the paper leaves out the
# classifier; the RPN's predictors start with weights of std 0.01 and would barely move).
optim_wrapper = dict(
    clip_grad=dict(
        type='agc', clip_factor=0.01, eps=1e-3,
        exclude=['fc_cls', 'fc_reg', 'conv_logits', 'rpn_cls', 'rpn_reg']))
