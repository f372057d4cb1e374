# 22-os-path, base: plain settings; its only job is to make main.py a
# `_base_` config (see the comment at the top of main.py).
dataset_type = 'OrchardDataset'
backend_args = None
