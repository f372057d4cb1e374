# 23-pkg-base: a user config on top of four mmdetection base files named
# with the `mmdet::` package prefix (they are read from the installed mmdet
# 3.3.0 package; SwiftDet ships the same four files under configs/_base_/).
# Only these four mmdet:: files are used.
_base_ = [
    'mmdet::_base_/models/faster-rcnn_r50_fpn.py',
    'mmdet::_base_/datasets/coco_detection.py',
    'mmdet::_base_/schedules/schedule_1x.py',
    'mmdet::_base_/default_runtime.py',
]

# --- the custom dataset: classes in metainfo, num_classes from len() ------
data_root = 'data/greenhouse/'
metainfo = dict(
    classes=('tomato', 'pepper', 'cucumber'),
    palette=[(200, 40, 40), (40, 160, 40), (90, 200, 120)])
num_classes = len(metainfo['classes'])

# --- model: only the class count changes (a nested dict merge) ----------
model = dict(roi_head=dict(bbox_head=dict(num_classes=num_classes)))

# --- dataloaders: metainfo, data_root and ann_file per split -------------
train_dataloader = dict(
    batch_size=4,
    dataset=dict(
        data_root=data_root,
        metainfo=metainfo,
        ann_file='annotations/train.json',
        data_prefix=dict(img='images/train/')))
val_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        metainfo=metainfo,
        ann_file='annotations/val.json',
        data_prefix=dict(img='images/val/')))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=data_root + 'annotations/val.json')
test_evaluator = val_evaluator

# --- reads from the package bases through _base_ --------------------------
base_lr = _base_.optim_wrapper.optimizer.lr                 # 0.02
base_epochs = _base_.train_cfg.max_epochs                   # 12
base_batch = _base_.auto_scale_lr.base_batch_size           # 16
base_scale = _base_.train_pipeline[2]['scale']              # (1333, 800)
runtime_env = _base_.env_cfg        # a whole base dict (no type key: no _scope_)

# --- schedule: lr scaled for 1 GPU x 4 images, fewer epochs -------------
optim_wrapper = dict(optimizer=dict(lr=base_lr * 4 / base_batch))
max_epochs = 8
train_cfg = dict(max_epochs=max_epochs, val_interval=2)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=200),
    dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True,
         milestones=[6], gamma=0.1),
]
default_hooks = dict(checkpoint=dict(interval=2, max_keep_ckpts=3))
load_from = 'checkpoints/faster-rcnn_r50_fpn_1x_coco.pth'
work_dir = f'./work_dirs/greenhouse_frcnn_{max_epochs}e'
