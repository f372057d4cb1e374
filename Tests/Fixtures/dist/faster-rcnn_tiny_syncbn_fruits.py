# The data-parallel tests' model with SyncBN instead of GN in the trunk and the pyramid
# (trained BN, norm_eval=False; the box head keeps GN: synchronized norms belong where every
# process runs every step): 2 processes x 1 image train as 1 process x 2 images only when the
# BN statistics span both processes. In one process SyncBN is plain BN.
_base_ = './faster-rcnn_tiny_gn-ws_fruits.py'
norm_cfg = dict(_delete_=True, type='SyncBN', requires_grad=True)
model = dict(
    backbone=dict(norm_cfg=norm_cfg, norm_eval=False),
    neck=dict(norm_cfg=norm_cfg))
