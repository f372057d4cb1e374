# 24-user-chain: a user's experiment config on top of the two bases in
# my_configs/_base_/ (dataset, TTA), using the Python constructs users
# actually write.  `_base_` comes before the import (see tree 22).
_base_ = [
    './my_configs/_base_/greenhouse_data.py',
    './my_configs/_base_/greenhouse_tta.py',
]
import os.path as osp

# --- plugins from the user's package; the import fails here, so mmengine
# only warns (allow_failed_imports=True) and keeps the key
custom_imports = dict(imports=['my_project.datasets'], allow_failed_imports=True)

# --- sizes derived from the base scale ----------------------------------
stride = 32
feat_w = _base_.img_scale[0] // stride                      # 32
feat_h = _base_.img_scale[1] // stride                      # 24
pad_size = (feat_w * stride, -(-_base_.img_scale[1] // 64) * 64)   # ceil to 64

# --- classes and the model head -----------------------------------------
metainfo = dict(classes=_base_.classes)
num_classes = len(metainfo['classes'])
model = dict(
    type='OrchardDetector',
    bbox_head=dict(type='OrchardHead', num_classes=num_classes,
                   in_channels=256, strides=[2 ** i for i in range(3, 6)]))

# --- dataloaders: a base dict spread with **, annotation paths via osp ------
ann_root = osp.join(_base_.data_root, 'annotations')
train_dataloader = dict(
    **_base_.loader_common,                 # num_workers, persistent_workers, pin_memory
    batch_size=4,
    dataset=dict(metainfo=metainfo,
                 ann_file=osp.join('annotations', 'train_fold0.json')))
val_dataloader = dict(
    dataset=dict(metainfo=metainfo,
                 ann_file=osp.join('annotations', 'val_fold0.json')))
# the child's own val_dataloader is spread here, before any merge: the
# result is only dataset + batch_size (no base has a test_dataloader)
test_dataloader = {**val_dataloader, 'batch_size': 2}
val_evaluator = dict(type='CocoMetric', metric='bbox',
                     ann_file=osp.join(ann_root, 'val_fold0.json'))
test_evaluator = {**val_evaluator, 'outfile_prefix': './results/greenhouse'}

# --- TTA: replace the padding step in the base pipeline, fewer boxes -----
tta_pad = dict(type='Pad', size=pad_size, pad_val=dict(img=(114, 114, 114)))
_base_.tta_pipeline[1].transforms[2] = [tta_pad]
tta_model = dict(tta_cfg=dict(max_per_img=100))

# --- schedule and output folder ---------------------------------------
base_lr = 0.004
max_epochs = 36
optim_wrapper = dict(type='OptimWrapper',
                     optimizer=dict(type='AdamW', lr=base_lr, weight_decay=0.05))
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs,
                 val_interval=max_epochs // 12)
exp_name = osp.splitext(osp.basename('configs/greenhouse/orchard_det_s.py'))[0]
work_dir = f'./work_dirs/{exp_name}_{max_epochs}e_lr{base_lr:g}'
