# 18-unpacking: ** and * spreading in calls and displays, and tuple-unpacking
# assignments.  base.py provides dicts and a list read through _base_.
_base_ = './base.py'

# --- dict(**a, k=v): a from this file, and from the base via _base_ -------
sampler_defaults = dict(type='DefaultSampler', shuffle=True)
val_sampler = dict(**sampler_defaults, seed=7)               # appended key
train_loader = dict(**_base_.loader_defaults, drop_last=True)
bbox_head = dict(**_base_.head_cfg, num_classes=3)

# --- {**a, 'k': v}: an override keeps the key's first position -------------
test_sampler = {**sampler_defaults, 'shuffle': False}
wide_head = {**_base_.head_cfg, 'in_channels': 512, 'stacked': True}
override_first = {'shuffle': None, **sampler_defaults}      # spread wins

# --- {**a, **b}: later spreads win, first positions kept -------------------
aug_defaults = dict(prob=0.5, direction='horizontal')
aug_override = dict(direction='vertical', level=3)
merged_aug = {**aug_defaults, **aug_override}
merged_three = {**aug_defaults, **aug_override, 'prob': 0.25}

# --- [*a, x] and (*a, x) ----------------------------------------------------
scales = [(800, 480), (960, 576)]
more_scales = [*scales, (1024, 608)]
all_scales = [*_base_.base_scales, *scales]
scale_tuple = (*scales, (1280, 768))                        # a tuple
prefix_spread = ['first', *['mid1', 'mid2'], 'last']
range_spread = [*range(3)]                                  # [0, 1, 2]
string_spread = [*'xyz']                                    # ['x', 'y', 'z']
tuple_of_range = (*range(2, 5),)

# --- calls with *args and **kwargs ------------------------------------------
sizes = [320, 416, 608, 512]
largest = max(*sizes)                                       # 608
smallest = min(*sizes, 400)                                 # 320
copied = dict(**aug_defaults)
pairs = [('pear', 1), ('plum', 2), ('fig', 3)]
unzipped = list(zip(*pairs))                                # list of tuples
names_only = list(list(zip(*pairs))[0])
kw_and_star = dict(*[[('a', 1)]], b=2)                      # dict(iterable, **kw)

# --- tuple-unpacking assignments create ordinary keys ----------------------
img_scale = (1333, 800)
h, w = img_scale                                            # h = 1333, w = 800
a, b = 1, 2
(c, d) = [3, 4]
[e, f] = 'ef'
first, *rest = sizes                                        # starred target
g = hh = 'same'                                             # chained assignment
a, b = b, a                                                 # swap: keys keep position
