# 17-operators: Python operators beyond + - * /, as users write them when
# deriving sizes and switches from other settings.  No inheritance.

# --- floor division and modulo: ints, floats, negative operands ----------
stride = 32
floor_int = 17 // 4                 # 4
floor_neg = -7 // 2                 # -4: rounds towards minus infinity
floor_neg_divisor = 7 // -2         # -4
floor_float = -7.5 // 2             # -4.0: a float, floored
floor_float_pos = 7.5 // 2          # 3.0
mod_int = 17 % 5                    # 2
mod_neg_divisor = 7 % -3            # -2: takes the sign of the divisor
mod_neg_dividend = -7 % 3           # 2
mod_float = 7.5 % 2                 # 1.5
mod_float_neg = -7.5 % 2            # 0.5

# --- power: associativity and unary minus ---------------------------------
pow_int = 2 ** 10                   # 1024
pow_neg_exp = 2 ** -1               # 0.5: a float
pow_float = 2.0 ** 0.5              # 1.4142135623730951
pow_unary = -2 ** 2                 # -4: ** binds tighter than unary minus
pow_right_assoc = 2 ** 3 ** 2       # 512: 2 ** (3 ** 2)
pow_paren_neg = (-8) ** 2           # 64
pow_zero = 7 ** 0                   # 1

# --- precedence mixes with names and subscripts ---------------------------
img_scale = (1000, 608)
aligned_w = img_scale[0] // stride * stride        # 992
aligned_h = (img_scale[1] + stride - 1) // stride * stride  # 608
base_channels = 64
widen = 3
mixed_mod = base_channels + widen % 2               # 65: % before +
mixed_floor = base_channels - 100 // 3 * 2          # -2
mixed_pow = 3 * 2 ** 2 + 1                          # 13
levels = 5
level_strides = [2 ** 2, 2 ** levels]                # [4, 32]

# --- comparisons ---------------------------------------------------------
cmp_eq = base_channels == 64
cmp_ne = base_channels != 64
cmp_lt = widen < 2
cmp_le = widen <= 3
cmp_gt = levels > 4
cmp_ge = levels >= 6
chained_in_range = 0 < widen < 10                   # True
chained_false = 0 < levels < 3                      # False
int_eq_float = 1 == 1.0                             # True
list_lt = [1, 2] < [1, 3]                           # lexicographic: True
str_lt = 'a' < 'b'
tuple_eq = (1, 2) == (1, 2)
tuple_vs_list = (1, 2) == [1, 2]                    # False: different types

# --- membership and identity ---------------------------------------------
classes = ['pear', 'plum', 'fig']
backend = 'cuda'
optim_kwargs = dict(lr=0.01, momentum=0.9)
in_list = 'plum' in classes
not_in_list = 'kiwi' not in classes
in_string = 'cu' in backend                         # substring test
not_in_string = 'cpu' not in backend
in_dict = 'lr' in optim_kwargs                      # tests the keys
value_not_key = 0.01 in optim_kwargs                # False
resume_from = None
is_none = resume_from is None
is_not_none = resume_from is not None

# --- and / or / not return one of their operands -------------------------
or_default = 0 or 'fallback'                        # 'fallback'
or_first_truthy = 'first' or 'second'               # 'first'
and_last = 3 and 4                                  # 4
and_falsy = 0 and 4                                 # 0
or_all_falsy = [] or None                           # None
or_empty_string = '' or []                          # []
not_empty = not []                                  # True
not_value = not classes                             # False
work_dir = resume_from or './work_dirs/orchard'
use_amp = backend == 'cuda' and base_channels >= 32

# --- conditional expressions ----------------------------------------------
num_gpus = 4
sync_bn = 'SyncBN' if num_gpus > 1 else 'BN'
lr_scale = 1.0 if num_gpus == 8 else num_gpus / 8
norm_cfg = dict(type=sync_bn, requires_grad=True)
tier = 'large' if base_channels > 128 else 'medium' if base_channels > 32 else 'small'
nested_paren = ('a' if widen > 5 else ('b' if widen > 2 else 'c'))

# --- bools are ints in arithmetic ----------------------------------------
true_plus_one = True + 1                            # 2
bool_sum = True + True + False                      # 2
bool_times = 5 * False                              # 0
bool_div = True / 2                                 # 0.5
flag_count = sum([cmp_eq, cmp_ne, in_list])         # 2
neg_bool = -True                                    # -1
