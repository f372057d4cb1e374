# 19-comprehensions: list / dict / set comprehensions and generator
# expressions as users write them for test-time augmentation and per-level
# settings.  base.py provides values read through _base_.
_base_ = './base.py'

# --- list comprehension over tuples building dicts (a TTA resize list) ----
scales = [(1280, 768), (1024, 608), (800, 480)]
resize_tta = [dict(type='Resize', scale=s, keep_ratio=True) for s in scales]
flip_tta = [dict(type='RandomFlip', prob=p) for p in [0.0, 1.0]]
tta_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='TestTimeAug', transforms=[resize_tta, flip_tta]),
]

# --- if filters, nested for ... for ..., tuple targets ------------------
big_scales = [s for s in scales if s[0] >= 1000]
even_levels = [i for i in range(7) if i % 2 == 0 if i > 0]     # two ifs
grid = [(w, h) for w in (512, 640) for h in (384, 480)]        # outer loop first
triangle = [(i, j) for i in range(3) for j in range(i)]        # inner uses outer
loss_weights = dict(cls=1.0, bbox=2.0, iou=0.5)
loss_list = [dict(type=k, weight=v) for k, v in loss_weights.items()]
kept_losses = [k for k, v in loss_weights.items() if v >= 1.0]

# --- dict comprehension and a set comprehension inside sorted() ----------
level_strides = {f'p{i}': 2 ** i for i in range(3, 6)}
scaled_weights = {k: v * 2 for k, v in loss_weights.items()}
label_names = ['pear', 'plum', 'pear', 'fig', 'plum']
unique_labels = sorted({n for n in label_names})
unique_lengths = sorted({len(n) for n in label_names}, reverse=True)

# --- generator expressions as the only argument --------------------------
total_pixels = sum(w * h for w, h in scales)
doubled = tuple(x * 2 for x in (1, 2, 3))
widest = max(w for w, _ in scales)
any_large = any(w > 1200 for w, _ in scales)
all_even = all(h % 2 == 0 for _, h in scales)
joined_names = '+'.join(n.upper() for n in ['a', 'b'])

# --- comprehensions over range / zip / enumerate / reversed / a string ----
anchor_sizes = [32 * 2 ** i for i in range(5)]
stage_channels = [64, 128, 256, 512]
stage_blocks = [3, 4, 6, 3]
stages = [dict(ch=c, n=n) for c, n in zip(stage_channels, stage_blocks)]
indexed = [dict(idx=i, name=n) for i, n in enumerate(['pear', 'fig'], 1)]
top_down = [c // 2 for c in reversed(stage_channels)]
letters = [ch.upper() for ch in 'rgb']
step_range = [i for i in range(10, 0, -3)]

# --- comprehension variables do not leak into the file ------------------
s = 'kept'
doubled_scales = [s * 2 for s in [1, 2, 3]]
after = s                                          # still 'kept'
k = 'outer'
inverted = {v: k for k, v in dict(a='x', b='y').items()}
after_dict = k                                     # still 'outer'

# --- comprehensions reading a module-level name and _base_ ---------------
keep_ratio = False
module_level = [dict(scale=s, keep_ratio=keep_ratio) for s in scales[:2]]
from_base = [dict(type='Resize', scale=s) for s in _base_.tta_scales]
base_flips = [dict(type='RandomFlip', prob=p)
              for p in _base_.flip_probs if p > 0]
base_product = [(s[0], p) for s in _base_.tta_scales for p in _base_.flip_probs]

# --- nested comprehensions -----------------------------------------------
matrix = [[i * 3 + j for j in range(3)] for i in range(2)]
transposed = [[row[j] for row in matrix] for j in range(3)]
flattened = [x for row in matrix for x in row]
per_scale_aug = [[dict(type='Resize', scale=s), dict(type='RandomFlip', prob=p)]
                 for s in scales[:2] for p in (0.0, 1.0)]
