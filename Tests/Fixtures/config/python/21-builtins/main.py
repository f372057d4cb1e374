# 21-builtins: the built-in functions and dict / list methods that users call
# in configs (counting classes, sorting, converting), with edge cases.

# --- the typical custom-dataset config: classes in metainfo, len() --------
metainfo = dict(
    classes=('pear', 'plum', 'fig', 'quince'),
    palette=[(220, 20, 60), (119, 11, 32), (0, 0, 142), (0, 60, 100)])
num_classes = len(metainfo['classes'])                 # 4
num_colours = len(metainfo['palette'])

# --- len ------------------------------------------------------------------
len_list = len([1, 2, 3])
len_str = len('orchard')
len_dict = len(dict(a=1, b=2))
len_tuple = len(())
len_range = len(range(0, 10, 3))                       # 4

# --- min / max: iterable, several arguments, key=, default= ------------
sizes = [608, 320, 512]
min_iter = min(sizes)
max_args = max(3, 9, 4)
max_mixed = max(2, 2.5)                                # 2.5: a float
max_tie = max(1, 1.0)                                  # 1: the first of equals
longest = max(['fig', 'quince', 'pear'], key=len)
shortest = min('fig', 'pear', 'kiwi', key=len)         # 'fig': first of equals
max_default = max([], default=0)
min_default_none = min([], default=None)

# --- sum, abs -------------------------------------------------------------
sum_ints = sum([1, 2, 3])
sum_floats = sum([0.1, 0.2, 0.3])                      # 0.6000000000000001
sum_start = sum([1, 2], 10)
sum_lists = sum([[1], [2, 3]], [])                     # list concatenation
abs_int = abs(-7)
abs_float = abs(-2.5)

# --- round: half to even, floats stored inexactly, negative digits ------
round_2_5 = round(2.5)                                 # 2
round_3_5 = round(3.5)                                 # 4
round_neg_half = round(-0.5)                           # 0 (an int; not -0)
round_2_675 = round(2.675, 2)                          # 2.67
round_tens = round(1234, -2)                           # 1200, an int
round_float_tens = round(1234.5, -1)                   # 1230.0, a float
round_whole = round(7.0)                               # 7, an int
round_keep_float = round(7.0, 0)                       # 7.0, a float
round_lr = round(0.02 * 3, 4)                          # 0.06

# --- int / float / str / bool conversions --------------------------------
int_str = int('12')
int_spaces = int(' -3 ')                               # -3
int_trunc = int(3.9)                                   # 3
int_trunc_neg = int(-3.9)                              # -3: towards zero
int_bool = int(True)
int_base = int('ff', 16)
float_str = float('1e-3')
float_int = float(2)                                   # 2.0
float_spaces = float(' 0.5 ')
str_int = str(42)
bool_empty_list = bool([])
bool_string = bool('x')
bool_zero_float = bool(0.0)
bool_none = bool(None)

# --- list / tuple / dict constructors ----------------------------------
list_of_tuple = list((1, 2))
list_of_str = list('abc')
tuple_of_list = tuple([3, 4])
tuple_of_str = tuple('hi')
dict_of_pairs = dict([('a', 1), ('b', 2)])
base_opt = dict(type='SGD', lr=0.02)
dict_copy_kw = dict(base_opt, lr=0.01, momentum=0.9)   # override keeps position
dict_of_zip = dict(zip(['x', 'y'], [1, 2]))
empty_list_call = list()

# --- sorted / reversed ------------------------------------------------
sorted_unique = sorted(set(['plum', 'fig', 'plum', 'pear']))
sorted_desc = sorted([3, 1, 2], reverse=True)
sorted_pairs = sorted([(2, 'b'), (1, 'z'), (2, 'a')])  # by first, then second
sorted_key = sorted(['quince', 'fig', 'pear'], key=len)
sorted_tuple = sorted((5, 4))                          # a list
reversed_list = list(reversed([1, 2, 3]))
reversed_tuple = tuple(reversed((1, 2, 3)))

# --- range with 1, 2, 3 arguments (incl. a negative step) ----------------
range_1 = list(range(4))
range_2 = list(range(2, 5))
range_3 = list(range(0, 10, 4))
range_neg = list(range(5, 0, -2))                      # [5, 3, 1]
range_empty = list(range(3, 3))

# --- zip / enumerate -----------------------------------------------------
zip_unequal = list(zip([1, 2, 3], ['a', 'b']))         # stops at the shorter
zip_three = list(zip('ab', [1, 2], (True, False)))
enumerated = list(enumerate(['pear', 'fig'], start=1))
enumerated_0 = list(enumerate('xy'))

# --- isinstance ---------------------------------------------------------
is_int = isinstance(3, int)
is_num = isinstance(2.5, (int, float))
bool_is_int = isinstance(True, int)                    # True: bool subclasses int
float_not_int = isinstance(1.0, int)
is_str = isinstance('s', str)
is_tuple = isinstance(metainfo['classes'], tuple)
is_list = isinstance(sizes, list)
is_dict = isinstance(base_opt, dict)
img_scale = (1333, 800)
scale_pair = img_scale if isinstance(img_scale, tuple) else (img_scale, img_scale)

# --- dict methods -------------------------------------------------------
d = dict(lr=0.02, momentum=0.9)
get_hit = d.get('lr')
get_miss = d.get('weight_decay')                       # None
get_default = d.get('weight_decay', 0)
keys_list = list(d.keys())
values_list = list(d.values())
items_list = list(d.items())                           # list of tuples
d_copy = d.copy()
pop_like = {k: v for k, v in d.items() if k != 'momentum'}

# --- list methods -------------------------------------------------------
labels = ['pear', 'fig', 'pear', 'plum']
index_of = labels.index('fig')
index_from = labels.index('pear', 1)                   # search from 1: 2
count_of = labels.count('pear')
count_none = labels.count('kiwi')
