# 22-os-path: the import forms users write to build data paths, and
# os.path's joining / splitting rules (POSIX).  The imported modules and
# functions (os, osp, path, join, basename) are NOT keys of the result:
# mmengine drops module and function values after running the file.
#
# `_base_ = ...` must come first: mmengine 0.10.7 scans the file and, if it
# meets an import of a module it does not consider built-in before a
# `_base_` assignment, treats the file as a "lazy import" (pure-Python style)
# config.  On Python 3.11 `os` / `os.path` are frozen modules and count as
# not built-in, so with the imports first, or with no `_base_` at all, the
# file fails (ConfigParsingError, or RuntimeError when osp.join is called).
_base_ = './base.py'

import os
import os.path as osp
from os import path
from os.path import basename, join

data_root = 'data/orchard/'
ann_dir = 'annotations'

# --- the four spellings of the same join --------------------------------
via_os = os.path.join(data_root, ann_dir)
via_osp = osp.join(data_root, ann_dir, 'train.json')
via_path = path.join(data_root, 'images')
via_join = join(data_root, 'val', 'img_001.jpg')

# --- joining rules --------------------------------------------------------
no_trailing_slash = osp.join('data/orchard', 'train')   # adds one '/'
absolute_resets = osp.join(data_root, '/mnt/shared', 'ann.json')  # restarts
trailing_slash_part = osp.join('data', 'images/')       # kept
empty_middle = osp.join('data', '', 'train')            # '' adds nothing
empty_last = osp.join('data', '')                       # ends with '/'
double_slash = osp.join('data/', '/')                   # '/' is absolute
dot_parts = osp.join('.', 'work_dirs', '..', 'ckpt')    # not normalised
single = osp.join('only')

# --- splitting --------------------------------------------------------------
ann_file = osp.join(data_root, ann_dir, 'instances_val.json')
base_name = osp.basename(ann_file)
base_via_import = basename('a/b/c.pth')
base_of_dir = osp.basename('data/orchard/')             # '' after a slash
dir_name = osp.dirname(ann_file)
dir_of_name = osp.dirname('file.json')                  # ''
stem, ext = osp.splitext(base_name)                     # tuple unpacking
split_ext = osp.splitext('archive.tar.gz')              # a tuple: last dot only
dotfile_ext = osp.splitext('.hidden')                   # ('.hidden', '')
split_pair = osp.split('data/orchard/img.jpg')
norm = osp.normpath('./data//orchard/../pears/')
is_abs = osp.isabs('/mnt/shared')

# --- paths used in dataset settings -------------------------------------
train_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        ann_file=osp.join(ann_dir, 'instances_train.json'),
        data_prefix=dict(img=osp.join('images', 'train') + '/')))
work_dir = osp.join('./work_dirs', osp.splitext(base_name)[0])
