# 24-user-chain, user base 1: a small custom dataset setup of the kind users
# keep in their own project folder.
dataset_type = 'GreenhouseDataset'
data_root = 'data/greenhouse/'
img_scale = (1024, 768)
classes = ('tomato', 'pepper', 'cucumber', 'aubergine')

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='RandomResize', scale=img_scale, ratio_range=(0.75, 1.25),
         keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=img_scale, keep_ratio=True),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                    'scale_factor')),
]
loader_common = dict(num_workers=4, persistent_workers=True, pin_memory=False)
train_dataloader = dict(
    batch_size=8,
    **loader_common,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type=dataset_type, data_root=data_root,
                 ann_file='annotations/train.json',
                 data_prefix=dict(img='images/'),
                 pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    **loader_common,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, data_root=data_root,
                 ann_file='annotations/val.json',
                 data_prefix=dict(img='images/'),
                 test_mode=True,
                 pipeline=test_pipeline))
