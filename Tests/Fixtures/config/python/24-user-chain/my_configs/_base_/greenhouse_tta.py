# 24-user-chain, user base 2: test-time augmentation in the shape users copy
# from detector repositories: a list comprehension of Resize steps, both
# flips, padding, packing.  Names are our own.
tta_model = dict(
    type='DetTTAModel',
    tta_cfg=dict(nms=dict(type='nms', iou_threshold=0.55), max_per_img=150))

tta_scales = [(896, 672), (1024, 768), (1152, 864)]
tta_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(
        type='TestTimeAug',
        transforms=[
            [dict(type='Resize', scale=s, keep_ratio=True) for s in tta_scales],
            [dict(type='RandomFlip', prob=p) for p in (1.0, 0.0)],
            [dict(type='Pad', size=max(tta_scales), pad_val=dict(img=(114,) * 3))],
            [dict(type='LoadAnnotations', with_bbox=True)],
            [dict(type='PackDetInputs',
                  meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                             'scale_factor', 'flip', 'flip_direction'))],
        ])
]
