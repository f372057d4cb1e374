# 18-unpacking, base: dicts and lists that the child spreads with ** and *.
loader_defaults = dict(batch_size=4, num_workers=2, persistent_workers=True)
head_cfg = dict(type='OrchardHead', in_channels=256, num_convs=2)
base_scales = [(640, 640), (512, 512)]
