# As mask-rcnn_x101-32x4d_fpn_gn-ws-all_2x_coco.py with the learning rate divided by 10 after
# epochs 20 and 23 (still 24 epochs).
_base_ = './mask-rcnn_x101-32x4d_fpn_gn-ws-all_2x_coco.py'
max_epochs = 24
train_cfg = dict(max_epochs=max_epochs)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=500),
    dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True, milestones=[20, 23], gamma=0.1),
]
