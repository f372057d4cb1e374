# 20-strings: f-strings, %-formatting, str.format, string methods, slicing
# with steps, and str()/repr() of numbers and containers -- the string work
# users do for work_dir names, file names and experiment tags.

model_name = 'orchard-rcnn'
depth = 50
lr = 0.0125
ratio = 0.4567
tiny = 0.00123
big = 1234567
epoch = 7
dataset = dict(name='pears', split='val')

# --- f-strings: names, expressions, subscripts with the other quote ------
work_dir = f'./work_dirs/{model_name}_r{depth}'
next_epoch = f'epoch_{epoch + 1}.pth'
from_dict = f"{dataset['name']}/{dataset['split']}"
call_in_fstring = f'{model_name.upper()}-{len(model_name)}'

# --- f-string format specs ------------------------------------------------
fixed_2 = f'{ratio:.2f}'                # '0.46'
fixed_binary = f'{2.675:.2f}'           # '2.67': 2.675 is stored slightly below
fixed_4 = f'{ratio:.4f}'
zero_pad = f'{epoch:03d}'               # '007'
tag = 'r50'
right_8 = f'[{tag:>8}]'                 # '[     r50]'
left_6 = f'{"ab":<6}|'                  # 'ab    |'
centre = f'{"mid":^9}'
percent = f'{ratio:.1%}'                # '45.7%'
sci = f'{tiny:e}'                       # '1.230000e-03'
sci_short = f'{tiny:.2e}'
thousands = f'{big:,}'                  # '1,234,567'
thousands_underscore = f'{big:_}'
general = f'{tiny:g}'                   # '0.00123'
general_big = f'{1e16:g}'
sign_plus = f'{depth:+d}'
nested_width = 16
nested_spec = f'{model_name:>{nested_width}}'     # width from a name
fill_char = f'{epoch:*^7}'
hex_spec = f'{255:#x}'

# --- f-string conversions and brace escapes --------------------------------
conv_r = f'{model_name!r}'              # "'orchard-rcnn'"
conv_s = f'{depth!s}'
conv_r_float = f'{lr!r}'
braces = f'{{literal}} {depth} {{}}'
raw_fstring = rf'{model_name}\d+\.pth'  # backslashes kept
multi_line = f'''model={model_name}
depth={depth}'''
adjacent_mix = f'{model_name}_' 'coco_' f'{epoch}e'
plus_fstrings = f'{model_name}' + '_' + f'{depth}'

# --- %-formatting -------------------------------------------------------
percent_tuple = '%s_%d' % (model_name, depth)
percent_float = '%.3f' % ratio
percent_zero_pad = '%05d' % epoch
percent_dict = '%(name)s-%(depth)d' % dict(name='resnet', depth=depth)
percent_single = '%s' % 'one'
percent_repr = '%r' % 'q'
percent_hex = '%x' % 255
percent_literal = '%d%%' % 50
percent_width = '%-6s|%6.2f' % ('ab', lr)
percent_int_of_float = '%d' % 3.99      # truncates: '3'

# --- str.format ---------------------------------------------------------
fmt_positional = '{}_{}'.format(model_name, depth)
fmt_indexed = '{1}-{0}-{1}'.format('a', 'b')
fmt_named = '{name}@{lr}'.format(name=model_name, lr=lr)
fmt_item = '{0[1]}'.format(['zero', 'one'])
fmt_key = '{d[split]}'.format(d=dataset)
fmt_attr_spec = '{:.2f}|{:>6}|{:<4}|'.format(ratio, 'r', 'l')
fmt_mixed = '{0}:{x:03d}'.format('id', x=5)

# --- string methods -------------------------------------------------------
joined = '_'.join(['faster', 'rcnn', 'r50'])
split_default = '  a  b\tc \n'.split()          # whitespace runs
split_sep = 'a,,b,c'.split(',')                 # keeps the empty part
split_max = 'x/y/z/w'.split('/', 1)
rsplit_max = 'model.best.pth'.rsplit('.', 1)
replaced = 'coco_train'.replace('train', 'val')
replaced_count = 'aaaa'.replace('a', 'b', 2)
upper = model_name.upper()
lower = 'MixedCase'.lower()
stripped = '  padded  '.strip()
lstripped = '  padded  '.lstrip()
rstripped = '  padded  '.rstrip()
stripped_chars = '__cfg__'.strip('_')
lstripped_chars = 'xxabcxx'.lstrip('x')
rstripped_chars = 'file.pth.pth'.rstrip('.pth')  # a character set, not a suffix
starts = model_name.startswith('orch')
ends_tuple = 'img.jpeg'.endswith(('.jpg', '.jpeg'))
starts_tuple = 'val2017'.startswith(('train', 'test'))
titled = 'mask rcnn r50'.title()
capitalized = 'hELLO world'.capitalize()
counted = 'banana'.count('an')
found = 'banana'.find('na')
not_found = 'banana'.find('x')
zero_filled = '42'.zfill(5)
zero_filled_neg = '-42'.zfill(5)

# --- slicing with steps -------------------------------------------------
reversed_str = model_name[::-1]
odd_chars = 'abcdefgh'[1:7:2]
stages = [10, 20, 30, 40, 50, 60]
every_other = stages[::2]
reversed_list = stages[::-1]
neg_step_list = stages[4:0:-2]                  # [50, 30]
mean = (123.675, 116.28, 103.53)
bgr_mean = mean[::-1]                           # still a tuple
tuple_step = (1, 2, 3, 4, 5)[::2]
empty_slice = stages[3:1]

# --- str() of floats (Python's shortest repr) -------------------------------
str_tenth = str(0.1)
str_small = str(1e-05)                          # '1e-05'
str_big = str(1e16)                             # '1e+16'
str_below_big = str(1e15)                       # '1000000000000000.0'
str_two = str(2.0)
str_third = str(1 / 3)
str_neg_zero = str(-0.0)
str_sum = str(0.1 + 0.2)

# --- str() of ints, bools, None and containers ---------------------------
str_int = str(-12)
str_bool = str(True)
str_none = str(None)
str_list = str([1, 'a', (2,)])                  # "[1, 'a', (2,)]"
str_tuple = str((1.5, 'b'))
str_dict = str(dict(a=1))                       # "{'a': 1}"
str_nested = str({'k': [None, False]})
repr_str = repr('q"uote')
