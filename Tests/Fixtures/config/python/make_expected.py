#!/usr/bin/env python
"""Regenerate the expected files of the Python-construct config trees.

Run with the Python of a throwaway venv that has mmengine 0.10.7 (and, for
tree 23-pkg-base only, mmdet 3.3.0 plus a setuptools that still ships
pkg_resources, i.e. setuptools<81):

    /path/to/venv/bin/python Tests/Fixtures/config/python/make_expected.py
    /path/to/venv/bin/python .../make_expected.py --check   # compare only

From any working directory.  For every folder NN-name/ next to this script
it loads NN-name/main.py with mmengine's Config.fromfile and writes

    NN-name/expected.json        json.dumps(cfg.to_dict(), indent=2,
                                 ensure_ascii=False, sort_keys=False) + "\\n"
    NN-name/expected_types.json  {"tuples": [paths], "floats": [paths]}

and INDEX.json (one entry per tree, with the warnings mmengine emitted).
The config files themselves are edited by hand.
"""
import argparse
import importlib.metadata
import importlib.util
import json
import math
import os
import os.path as osp
import re
import sys
import warnings

REQUIRED_MMENGINE = '0.10.7'
REQUIRED_MMDET = '3.3.0'
HERE = osp.dirname(osp.abspath(__file__))

# What each tree covers (INDEX.json "covers"); trees needing mmdet are
# marked.  Every NN-name folder must have an entry here and vice versa.
TREES = {
    '17-operators': dict(
        covers='// and % on ints and floats with negative operands (floor '
        'semantics, sign of the divisor), ** (negative exponent gives a '
        'float, right-associative, binds tighter than unary minus), '
        'precedence mixes (img_scale[0] // 32 * 32, a + b % c), comparisons '
        'incl. chained, 1 == 1.0, list/str/tuple ordering and equality, '
        'tuple != list, in / not in on lists, strings (substring) and dicts '
        '(keys), is None / is not None, and/or returning an operand, not, '
        'conditional expressions (nested, chained), bools in arithmetic'),
    '18-unpacking': dict(
        covers='dict(**a, k=v) with a of this file and a _base_ dict, '
        '{**a, \'k\': v} (override keeps the first position), '
        '{\'k\': v, **a} (spread wins), {**a, **b}, [*a, x], (*a, x) is a '
        'tuple, [*range(3)], [*\'xyz\'], max(*sizes), min(*sizes, x), '
        'dict(**d), list(zip(*pairs)), dict(*[pairs], b=2), tuple-unpacking '
        'assignments (h, w = img_scale; a, b = 1, 2; (c, d) = [3, 4]; '
        '[e, f] = \'ef\'; first, *rest = ...; chained a = b = v; swap a, b = '
        'b, a keeps the key positions)'),
    '19-comprehensions': dict(
        covers='list comprehensions building dicts from a list of tuples '
        '(TTA Resize list), if filters (two ifs), nested for ... for ... '
        '(outer loop first, inner reading the outer variable), tuple targets '
        'over d.items(), dict comprehension (f-string keys, inverted), set '
        'comprehension inside sorted(), generator expressions as the only '
        'argument (sum, tuple, max, any, all, str.join), over range / zip / '
        'enumerate(start) / reversed / a string / range with negative step, '
        'comprehension variables do not leak (s and k keep their values), '
        'comprehensions reading a module-level name and _base_.x (incl. a '
        'product over two base lists), nested comprehensions [[...] for ...]'),
    '20-strings': dict(
        covers='f-strings (names, expressions, d[\'k\'] with the other quote, '
        'method calls, format specs .2f .4f 03d >8 <6 ^9 .1% e .2e , _ g +d '
        '*^7 #x, nested {s:>{w}}, !r !s, {{ }} escapes, rf-string, '
        'triple-quoted over two lines, adjacent f + plain + f, f + f), '
        '%-formatting (%s_%d tuple, %.3f, %05d, %(name)s mapping, %s, %r, '
        '%x, %%, %-6s / %6.2f, %d of a float), str.format (positional, '
        'indexed, named, {0[1]}, {d[key]}, specs), string methods (join, '
        'split with/without sep and maxsplit, rsplit, replace with count, '
        'upper, lower, strip/lstrip/rstrip with and without chars, '
        'startswith/endswith with a tuple, title, capitalize, count, find, '
        'zfill), slices with steps on str / list / tuple (tuple stays a '
        'tuple), str() of floats (0.1, 1e-05, 1e+16, 1e15, 2.0, 1/3, -0.0, '
        '0.1 + 0.2) and of int / bool / None / list / tuple / dict, repr'),
    '21-builtins': dict(
        covers='classes tuple in metainfo and num_classes = len(...); len of '
        'list / str / dict / tuple / range; min / max (iterable, several '
        'arguments, int vs float, ties, key=len, default=); sum (ints, floats, '
        'start, lists); abs; round (half to even, round(-0.5) is 0, '
        'round(2.675, 2), negative digits on int and float, round(7.0) is an '
        'int, round(7.0, 0) a float); int() of str with spaces / float '
        '(truncation) / bool / base 16; float() of str and int; bool() of '
        'empty / non-empty / 0.0 / None; list / tuple / dict constructors '
        '(pairs, dict(d, k=v), zip); sorted (set, reverse, tuples, key, a '
        'tuple argument); reversed; range with 1, 2, 3 arguments incl. '
        'negative step and empty; zip of unequal lengths and three '
        'iterables; enumerate with start; isinstance with one type, a tuple '
        'of types, bool is int, float is not int; dict get / keys / values / '
        'items / copy; list index (with start) / count'),
    '22-os-path': dict(
        covers='import os, import os.path as osp, from os import path, '
        'from os.path import basename, join (all dropped from the result by '
        'mmengine); os.path.join / osp.join / path.join / join; join rules: '
        'a later absolute part restarts, trailing slash kept, empty parts, '
        'empty last part adds a slash, no normalisation of . and ..; '
        'basename (incl. of a path ending in /), dirname, splitext (last dot '
        'only, dotfiles), split, normpath, isabs; tuple unpacking of '
        'splitext; _base_ must come before the imports (see README)'),
    '23-pkg-base': dict(
        covers='_base_ list of four mmdet:: package files (Faster R-CNN R50 '
        'FPN model, COCO detection dataset, 1x schedule, default runtime) '
        'with a user override: custom classes / palette in metainfo, '
        'num_classes via len(), data_root, train/val dataloader '
        'dataset.metainfo / data_root / ann_file / data_prefix, '
        'test_dataloader = val_dataloader, evaluator ann_file, _base_.x '
        'reads (lr, epochs, batch size, a pipeline scale, a whole dict), lr '
        'scaled from the base lr, schedule and hook changes, f-string '
        'work_dir; mmengine adds _scope_=\'mmdet\' to every outermost dict '
        'with a type key in the package bases',
        needs_mmdet=True),
    '24-user-chain': dict(
        covers='a user project chain: my_configs/_base_/greenhouse_data.py '
        '(dict(batch_size=..., **loader_common, ...) inside a call) and '
        'greenhouse_tta.py (TTA pipeline with list comprehensions, '
        'max(tta_scales), (114,) * 3), a user main.py on top: custom_imports '
        'of a missing module with allow_failed_imports=True (warning), '
        'import os.path as osp after _base_, osp.join / splitext / basename '
        'for annotation paths, _base_.img_scale[0] // 32, a ceil-to-64 '
        'idiom, metainfo from _base_.classes and len(), '
        'dict(**_base_.loader_common, ...), {**a, \'k\': v} (spreading the '
        'child\'s own, unmerged val_dataloader), a _base_ write into the TTA '
        'pipeline, comprehension in a head, f-string work_dir with {x:g}'),
}


def walk(value, path, tuples, floats):
    """Depth-first, in key order: record tuple and float paths."""
    if isinstance(value, tuple):
        tuples.append(list(path))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f'non-finite float at {path}')
        floats.append(list(path))
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f'non-string key {key!r} at {path}')
            walk(item, path + [key], tuples, floats)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            walk(item, path + [index], tuples, floats)
    elif not (value is None or isinstance(value, (bool, int, float, str))):
        raise TypeError(
            f'{type(value).__name__} value at {path} is not JSON data')


def types_text(tuples, floats):
    def block(name, paths):
        if not paths:
            return f'  "{name}": []'
        rows = ',\n'.join('    ' + json.dumps(p, ensure_ascii=False)
                          for p in paths)
        return f'  "{name}": [\n{rows}\n  ]'
    return '{\n' + block('tuples', tuples) + ',\n' + \
        block('floats', floats) + '\n}\n'


def mmdet_problem():
    try:
        version = importlib.metadata.version('mmdet')
    except importlib.metadata.PackageNotFoundError:
        return 'mmdet is not installed'
    if version != REQUIRED_MMDET:
        return f'mmdet {version} installed, {REQUIRED_MMDET} required'
    if importlib.util.find_spec('pkg_resources') is None:
        return ('pkg_resources is missing (mmengine 0.10.7 needs it for '
                'mmdet::): pip install "setuptools<81"')
    return None


def load(entry):
    from mmengine.config import Config
    # A config that imports a module mmengine does not consider built-in
    # before any `_base_ = ...` is parsed in "lazy import" mode, whose
    # result depends on the working directory for frozen modules such as
    # os on Python 3.11; the trees avoid that, and this keeps them honest.
    if Config._is_lazy_import(entry):
        raise RuntimeError(f'{entry} would be parsed in lazy-import mode')
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        cfg = Config.fromfile(entry)
    seen = []
    for w in caught:
        if f'{os.sep}mmengine{os.sep}' not in w.filename:
            continue  # raised outside mmengine
        if str(w.message).startswith('pkg_resources is deprecated'):
            continue  # setuptools' notice when mmengine imports it (mmdet::)
        text = f'{w.category.__name__}: {w.message}'
        text = text.replace(HERE + os.sep, 'python' + os.sep)
        if text not in seen:
            seen.append(text)
    return cfg.to_dict(), seen


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--check', action='store_true',
                        help='compare with the files on disk, write nothing')
    args = parser.parse_args()

    import mmengine
    print(f'mmengine {mmengine.__version__} '
          f'(Python {sys.version.split()[0]})')
    if mmengine.__version__ != REQUIRED_MMENGINE:
        sys.exit(f'error: mmengine {REQUIRED_MMENGINE} is required, '
                 f'found {mmengine.__version__}; refusing to run')

    folders = sorted(d for d in os.listdir(HERE)
                     if re.match(r'^\d\d-', d) and osp.isdir(osp.join(HERE, d)))
    if sorted(TREES) != folders:
        sys.exit(f'error: tree folders {folders} do not match TREES '
                 f'{sorted(TREES)}')

    index_trees, differ, skipped = [], [], []
    for name in folders:
        meta = TREES[name]
        folder = osp.join(HERE, name)
        entry = {'name': name, 'entry': 'main.py', 'covers': meta['covers'],
                 'expected': 'expected.json', 'types': 'expected_types.json'}
        if meta.get('needs_mmdet'):
            entry['needs'] = {'mmdet': REQUIRED_MMDET,
                              'note': 'mmdet:: bases are read from the '
                              'installed mmdet package (.mim/configs)'}
        problem = mmdet_problem() if meta.get('needs_mmdet') else None
        if problem:
            print(f'{name}: SKIPPED ({problem}); its files are unchanged')
            skipped.append(name)
            old = json.load(open(osp.join(HERE, 'INDEX.json'))) \
                if osp.exists(osp.join(HERE, 'INDEX.json')) else {}
            for t in old.get('trees', []):
                if t['name'] == name and 'mmengine_warnings' in t:
                    entry['mmengine_warnings'] = t['mmengine_warnings']
            index_trees.append(entry)
            continue
        result, caught = load(osp.join(folder, 'main.py'))
        if caught:
            entry['mmengine_warnings'] = caught
        tuples, floats = [], []
        walk(result, [], tuples, floats)
        outputs = {
            'expected.json': json.dumps(result, indent=2, ensure_ascii=False,
                                        sort_keys=False) + '\n',
            'expected_types.json': types_text(tuples, floats),
        }
        json.loads(outputs['expected.json'])
        for file_name, text in outputs.items():
            path = osp.join(folder, file_name)
            if args.check:
                old = open(path, encoding='utf-8').read() \
                    if osp.exists(path) else None
                if old != text:
                    differ.append(f'{name}/{file_name}')
            else:
                with open(path, 'w', encoding='utf-8') as f:
                    f.write(text)
        print(f'{name}: {len(result)} keys, {len(tuples)} tuples, '
              f'{len(floats)} floats'
              + (f', {len(caught)} warning(s)' if caught else ''))
        index_trees.append(entry)

    index = {
        'generator': 'make_expected.py in this folder: mmengine '
                     'Config.fromfile + to_dict(), see README.md',
        'mmengine': mmengine.__version__,
        'trees': index_trees,
    }
    index_text = json.dumps(index, indent=2, ensure_ascii=False) + '\n'
    index_path = osp.join(HERE, 'INDEX.json')
    if args.check:
        old = open(index_path, encoding='utf-8').read() \
            if osp.exists(index_path) else None
        if old != index_text:
            differ.append('INDEX.json')
        print('check: ' + ('differences in ' + ', '.join(differ)
                           if differ else 'all files match'))
    else:
        with open(index_path, 'w', encoding='utf-8') as f:
            f.write(index_text)
    if skipped:
        print('NOT regenerated: ' + ', '.join(skipped))
    sys.exit(1 if differ or skipped else 0)


if __name__ == '__main__':
    main()
