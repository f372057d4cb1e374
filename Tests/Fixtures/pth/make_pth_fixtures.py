#!/usr/bin/env python3
"""Make the `.pth` test fixtures for SwiftDet's PyTorch checkpoint reader.

Run it with real PyTorch (see README.md for the versions used):

    python3 make_pth_fixtures.py

It writes every fixture, `cases.json` (the manifest the Swift tests read) and the
expected-value `.safetensors` files into the directory that holds this script, then
re-reads every "load" fixture with `torch.load(weights_only=False)` and checks it
against the manifest. "Refuse" fixtures are only written, never loaded: several carry
payloads (`os.system`, `eval`) that would run if unpickled.

Only torch, numpy, safetensors and the Python standard library are used. Seeds are
fixed, zip archives made by torch are deterministic, legacy files get their
address-derived storage keys renamed to fixed ones and the script re-executes itself with
PYTHONHASHSEED=0, so re-running with the same versions gives the same bytes.
"""

import collections
import glob
import io
import json
import os
import pickle
import pickletools
import platform
import re
import struct
import sys
import tarfile
import types
import warnings
import zipfile

import numpy as np
import torch
import torch.nn as nn
from safetensors.torch import load_file as st_load_file
from safetensors.torch import save_file as st_save_file

HERE = os.path.dirname(os.path.abspath(__file__))
PWNED_GLOB = "/tmp/swiftdet_pwned_*"

assert sys.byteorder == "little", "the expected bytes are written from a little-endian host"

DTYPE_NAME = {
    torch.float32: "float32", torch.float64: "float64", torch.float16: "float16",
    torch.bfloat16: "bfloat16", torch.int64: "int64", torch.int32: "int32",
    torch.int16: "int16", torch.int8: "int8", torch.uint8: "uint8", torch.bool: "bool",
}
STORAGE_ITEMSIZE = {
    "FloatStorage": 4, "DoubleStorage": 8, "HalfStorage": 2, "BFloat16Storage": 2,
    "LongStorage": 8, "IntStorage": 4, "ShortStorage": 2, "CharStorage": 1,
    "ByteStorage": 1, "BoolStorage": 1,
}
LEGACY_MAGIC = bytes.fromhex("80028a0a6cfc9c46f9206aa850192e")

# Key names and shapes of the tiny demo model (124 float32 tensors, 236,106 values).
# Copied from tiny_demo_keys.json, which the SwiftDet session produced from its model.
TINY_DEMO_KEYS = [
    ["backbone.conv1.weight",[8,3,7,7]], ["backbone.gn1.weight",[8]], ["backbone.gn1.bias",[8]],
    ["backbone.layer1.0.conv1.weight",[8,8,3,3]], ["backbone.layer1.0.gn1.weight",[8]],
    ["backbone.layer1.0.gn1.bias",[8]], ["backbone.layer1.0.conv2.weight",[8,8,3,3]],
    ["backbone.layer1.0.gn2.weight",[8]], ["backbone.layer1.0.gn2.bias",[8]],
    ["backbone.layer1.1.conv1.weight",[8,8,3,3]], ["backbone.layer1.1.gn1.weight",[8]],
    ["backbone.layer1.1.gn1.bias",[8]], ["backbone.layer1.1.conv2.weight",[8,8,3,3]],
    ["backbone.layer1.1.gn2.weight",[8]], ["backbone.layer1.1.gn2.bias",[8]],
    ["backbone.layer2.0.conv1.weight",[16,8,3,3]], ["backbone.layer2.0.gn1.weight",[16]],
    ["backbone.layer2.0.gn1.bias",[16]], ["backbone.layer2.0.conv2.weight",[16,16,3,3]],
    ["backbone.layer2.0.gn2.weight",[16]], ["backbone.layer2.0.gn2.bias",[16]],
    ["backbone.layer2.0.downsample.0.weight",[16,8,1,1]],
    ["backbone.layer2.0.downsample.1.weight",[16]],
    ["backbone.layer2.0.downsample.1.bias",[16]],
    ["backbone.layer2.1.conv1.weight",[16,16,3,3]], ["backbone.layer2.1.gn1.weight",[16]],
    ["backbone.layer2.1.gn1.bias",[16]], ["backbone.layer2.1.conv2.weight",[16,16,3,3]],
    ["backbone.layer2.1.gn2.weight",[16]], ["backbone.layer2.1.gn2.bias",[16]],
    ["backbone.layer3.0.conv1.weight",[32,16,3,3]], ["backbone.layer3.0.gn1.weight",[32]],
    ["backbone.layer3.0.gn1.bias",[32]], ["backbone.layer3.0.conv2.weight",[32,32,3,3]],
    ["backbone.layer3.0.gn2.weight",[32]], ["backbone.layer3.0.gn2.bias",[32]],
    ["backbone.layer3.0.downsample.0.weight",[32,16,1,1]],
    ["backbone.layer3.0.downsample.1.weight",[32]],
    ["backbone.layer3.0.downsample.1.bias",[32]],
    ["backbone.layer3.1.conv1.weight",[32,32,3,3]], ["backbone.layer3.1.gn1.weight",[32]],
    ["backbone.layer3.1.gn1.bias",[32]], ["backbone.layer3.1.conv2.weight",[32,32,3,3]],
    ["backbone.layer3.1.gn2.weight",[32]], ["backbone.layer3.1.gn2.bias",[32]],
    ["backbone.layer4.0.conv1.weight",[64,32,3,3]], ["backbone.layer4.0.gn1.weight",[64]],
    ["backbone.layer4.0.gn1.bias",[64]], ["backbone.layer4.0.conv2.weight",[64,64,3,3]],
    ["backbone.layer4.0.gn2.weight",[64]], ["backbone.layer4.0.gn2.bias",[64]],
    ["backbone.layer4.0.downsample.0.weight",[64,32,1,1]],
    ["backbone.layer4.0.downsample.1.weight",[64]],
    ["backbone.layer4.0.downsample.1.bias",[64]],
    ["backbone.layer4.1.conv1.weight",[64,64,3,3]], ["backbone.layer4.1.gn1.weight",[64]],
    ["backbone.layer4.1.gn1.bias",[64]], ["backbone.layer4.1.conv2.weight",[64,64,3,3]],
    ["backbone.layer4.1.gn2.weight",[64]], ["backbone.layer4.1.gn2.bias",[64]],
    ["neck.lateral_convs.0.conv.weight",[16,8,1,1]], ["neck.lateral_convs.0.gn.weight",[16]],
    ["neck.lateral_convs.0.gn.bias",[16]], ["neck.lateral_convs.1.conv.weight",[16,16,1,1]],
    ["neck.lateral_convs.1.gn.weight",[16]], ["neck.lateral_convs.1.gn.bias",[16]],
    ["neck.lateral_convs.2.conv.weight",[16,32,1,1]], ["neck.lateral_convs.2.gn.weight",[16]],
    ["neck.lateral_convs.2.gn.bias",[16]], ["neck.lateral_convs.3.conv.weight",[16,64,1,1]],
    ["neck.lateral_convs.3.gn.weight",[16]], ["neck.lateral_convs.3.gn.bias",[16]],
    ["neck.fpn_convs.0.conv.weight",[16,16,3,3]], ["neck.fpn_convs.0.gn.weight",[16]],
    ["neck.fpn_convs.0.gn.bias",[16]], ["neck.fpn_convs.1.conv.weight",[16,16,3,3]],
    ["neck.fpn_convs.1.gn.weight",[16]], ["neck.fpn_convs.1.gn.bias",[16]],
    ["neck.fpn_convs.2.conv.weight",[16,16,3,3]], ["neck.fpn_convs.2.gn.weight",[16]],
    ["neck.fpn_convs.2.gn.bias",[16]], ["neck.fpn_convs.3.conv.weight",[16,16,3,3]],
    ["neck.fpn_convs.3.gn.weight",[16]], ["neck.fpn_convs.3.gn.bias",[16]],
    ["rpn_head.rpn_conv.weight",[16,16,3,3]], ["rpn_head.rpn_conv.bias",[16]],
    ["rpn_head.rpn_cls.weight",[3,16,1,1]], ["rpn_head.rpn_cls.bias",[3]],
    ["rpn_head.rpn_reg.weight",[12,16,1,1]], ["rpn_head.rpn_reg.bias",[12]],
    ["roi_head.bbox_head.fc_cls.weight",[4,32]], ["roi_head.bbox_head.fc_cls.bias",[4]],
    ["roi_head.bbox_head.fc_reg.weight",[12,32]], ["roi_head.bbox_head.fc_reg.bias",[12]],
    ["roi_head.bbox_head.shared_convs.0.conv.weight",[16,16,3,3]],
    ["roi_head.bbox_head.shared_convs.0.gn.weight",[16]],
    ["roi_head.bbox_head.shared_convs.0.gn.bias",[16]],
    ["roi_head.bbox_head.shared_convs.1.conv.weight",[16,16,3,3]],
    ["roi_head.bbox_head.shared_convs.1.gn.weight",[16]],
    ["roi_head.bbox_head.shared_convs.1.gn.bias",[16]],
    ["roi_head.bbox_head.shared_convs.2.conv.weight",[16,16,3,3]],
    ["roi_head.bbox_head.shared_convs.2.gn.weight",[16]],
    ["roi_head.bbox_head.shared_convs.2.gn.bias",[16]],
    ["roi_head.bbox_head.shared_convs.3.conv.weight",[16,16,3,3]],
    ["roi_head.bbox_head.shared_convs.3.gn.weight",[16]],
    ["roi_head.bbox_head.shared_convs.3.gn.bias",[16]],
    ["roi_head.bbox_head.shared_fcs.0.weight",[32,784]],
    ["roi_head.bbox_head.shared_fcs.0.bias",[32]],
    ["roi_head.mask_head.convs.0.conv.weight",[16,16,3,3]],
    ["roi_head.mask_head.convs.0.gn.weight",[16]], ["roi_head.mask_head.convs.0.gn.bias",[16]],
    ["roi_head.mask_head.convs.1.conv.weight",[16,16,3,3]],
    ["roi_head.mask_head.convs.1.gn.weight",[16]], ["roi_head.mask_head.convs.1.gn.bias",[16]],
    ["roi_head.mask_head.convs.2.conv.weight",[16,16,3,3]],
    ["roi_head.mask_head.convs.2.gn.weight",[16]], ["roi_head.mask_head.convs.2.gn.bias",[16]],
    ["roi_head.mask_head.convs.3.conv.weight",[16,16,3,3]],
    ["roi_head.mask_head.convs.3.gn.weight",[16]], ["roi_head.mask_head.convs.3.gn.bias",[16]],
    ["roi_head.mask_head.upsample.weight",[16,16,2,2]],
    ["roi_head.mask_head.upsample.bias",[16]],
    ["roi_head.mask_head.conv_logits.weight",[3,16,1,1]],
    ["roi_head.mask_head.conv_logits.bias",[3]],
]


# --------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------

def out(name):
    return os.path.join(HERE, name)


def gen(seed):
    return torch.Generator().manual_seed(seed)


def le_bytes(t):
    """Contiguous row-major little-endian bytes of a tensor (host is little-endian)."""
    flat = t.detach().contiguous().reshape(-1)
    return flat.view(torch.uint8).numpy().tobytes()


def pkl_ops(data, start=0):
    """Disassemble one pickle starting at `start` without executing it.

    Returns [name, arg, pos, end] per opcode; positions are absolute in `data`."""
    bio = io.BytesIO(data)
    bio.seek(start)
    ops = [[op.name, arg, pos] for op, arg, pos in pickletools.genops(bio)]
    for i, o in enumerate(ops):
        o.append(ops[i + 1][2] if i + 1 < len(ops) else o[2] + 1)
    return ops


def splice(data, pos, end, new):
    return data[:pos] + new + data[end:]


def binunicode(s):
    b = s.encode("utf-8")
    return b"X" + struct.pack("<I", len(b)) + b


def read_zip(path_or_bytes):
    """(prefix, [(name without prefix, bytes)]) of a torch zip, entries in file order."""
    src = io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else path_or_bytes
    with zipfile.ZipFile(src) as z:
        infos = z.infolist()
        prefix = infos[0].filename.split("/", 1)[0]
        recs = [(i.filename[len(prefix) + 1:], z.read(i)) for i in infos]
    return prefix, recs


def zip_prefix_of(path):
    with zipfile.ZipFile(path) as z:
        return z.infolist()[0].filename.split("/", 1)[0]


def write_torch_zip(path, records):
    """Write records with torch's own zip writer (stored, 64-byte aligned, data descriptors).

    The entry prefix becomes the file's stem, as with torch.save(obj, path). `version` and
    `.data/serialization_id` are added by the writer, so they are dropped from `records`."""
    w = torch._C.PyTorchFileWriter(path)
    for name, data in records:
        if name in ("version", ".data/serialization_id"):
            continue
        w.write_record(name, data, len(data))
    w.write_end_of_file()
    del w


def rewrite_with_zipfile(path, prefix, records, method):
    """Re-write a torch archive with Python's zipfile (no alignment, sizes in local headers)."""
    with open(path, "wb") as f, zipfile.ZipFile(f, "w") as z:
        for name, data in records:
            zi = zipfile.ZipInfo(f"{prefix}/{name}", date_time=(1980, 1, 1, 0, 0, 0))
            zi.compress_type = method
            zi.external_attr = 0o644 << 16
            z.writestr(zi, data)


def data_pkl_offset(path):
    """Byte offset in the file where <prefix>/data.pkl's bytes start."""
    with zipfile.ZipFile(path) as z:
        info = [i for i in z.infolist() if i.filename.endswith("/data.pkl")][0]
    with open(path, "rb") as f:
        f.seek(info.header_offset)
        hdr = f.read(30)
    name_len, extra_len = struct.unpack("<HH", hdr[26:30])
    return info.header_offset + 30 + name_len + extra_len, info.file_size


class _PidScan(pickle.Unpickler):
    """Collect persistent ids of one of *our own* well-formed files, calling nothing real."""

    def __init__(self, f):
        super().__init__(f)
        self.pids = collections.OrderedDict()

    def find_class(self, module, name):
        if module == "torch" and name.endswith("Storage"):
            return ("STORAGE", name)
        if module == "collections" and name == "OrderedDict":
            return collections.OrderedDict
        return lambda *a, **k: None

    def persistent_load(self, pid):
        self.pids.setdefault(pid[2], (pid[1][1], pid[3], pid[4]))
        return None


def scan_pids(pkl):
    s = _PidScan(io.BytesIO(pkl))
    s.load()
    return s.pids  # key -> (storage class name, location, numel)


def storage_classes_in_order(ops):
    """Storage key -> storage class name, in order of first appearance, read from the
    opcodes alone (nothing is unpickled). torch's pickles memoize every string/GLOBAL right
    after pushing it, so a persistent id shows up as the pushed values
    'storage', GLOBAL 'torch XStorage', key, ... whether spelled out or fetched by BINGET."""
    memo, pushed, last = {}, [], None
    for name, arg, _, _ in ops:
        if name in ("BINUNICODE", "SHORT_BINUNICODE"):
            last = ("str", arg)
        elif name == "GLOBAL":
            last = ("global", arg)
        elif name in ("BINPUT", "LONG_BINPUT"):
            memo[arg] = last
            continue
        elif name in ("BINGET", "LONG_BINGET"):
            last = memo.get(arg)
        else:
            last = ("other", name)
        pushed.append(last)
    classes = collections.OrderedDict()
    for a, b, c in zip(pushed, pushed[1:], pushed[2:]):
        if a == ("str", "storage") and b and b[0] == "global" and b[1].startswith("torch ") \
                and c and c[0] == "str":
            classes.setdefault(c[1], b[1].split(" ", 1)[1])
    return classes


def normalize_legacy(path):
    """Make a legacy file deterministic. Its storage keys are decimal _cdata addresses,
    different on every run, and the storage records follow in sorted-key order. Rename the
    keys to fixed 15-digit strings in order of first appearance (as zip files number them),
    re-write the key list pickle, and re-order the records to the new sorted order."""
    data = open(path, "rb").read()
    assert data.startswith(LEGACY_MAGIC)
    spans, pos = legacy_pickle_spans(data)
    old_keys = [o[1] for o in spans[4][2] if o[0] == "BINUNICODE"]
    assert old_keys == sorted(old_keys)
    # the key-list pickle is exactly what pickle.dumps(list, protocol=2) gives
    assert pickle.dumps(old_keys, protocol=2) == data[spans[4][0]:spans[4][1]]
    classes = storage_classes_in_order(spans[3][2])
    assert set(classes) == set(old_keys), (classes, old_keys)
    mapping = {k: str(140000000000000 + 64 * i) for i, k in enumerate(classes)}
    records = {}
    for k in old_keys:
        numel = struct.unpack("<q", data[pos:pos + 8])[0]
        n = 8 + numel * STORAGE_ITEMSIZE[classes[k]]
        records[mapping[k]] = data[pos:pos + n]
        pos += n
    assert pos == len(data), (path, pos, len(data))
    buf, cur = bytearray(), spans[3][0]
    for name, arg, p, e in spans[3][2]:
        if name == "BINUNICODE" and arg in mapping:
            buf += data[cur:p] + binunicode(mapping[arg])
            cur = e
    buf += data[cur:spans[3][1]]
    new_keys = sorted(records)
    new = (data[:spans[3][0]] + bytes(buf) + pickle.dumps(new_keys, protocol=2)
           + b"".join(records[k] for k in new_keys))
    with open(path, "wb") as f:
        f.write(new)


def legacy_pickle_spans(data):
    spans, pos = [], 0
    for _ in range(5):
        ops = pkl_ops(data, pos)
        spans.append((pos, ops[-1][3], ops))
        pos = ops[-1][3]
    return spans, pos


def save(obj, name, *, fileobj=False, legacy=False, protocol=None):
    kw = {}
    if legacy:
        kw["_use_new_zipfile_serialization"] = False
    if protocol is not None:
        kw["pickle_protocol"] = protocol
    path = out(name)
    if fileobj:
        with open(path, "wb") as f:
            torch.save(obj, f, **kw)
    else:
        torch.save(obj, path, **kw)
    if legacy:
        normalize_legacy(path)
    return path


def module_metadata(keys, version_of=lambda prefix: 1):
    """An OrderedDict like nn.Module.state_dict()'s `_metadata` for the modules owning `keys`."""
    md = collections.OrderedDict()
    md[""] = {"version": 1}
    for k in keys:
        parts = k.split(".")[:-1]
        for i in range(1, len(parts) + 1):
            p = ".".join(parts[:i])
            if p not in md:
                md[p] = {"version": version_of(p)}
    return md


# --------------------------------------------------------------------------------------
# Fake classes with the module paths real checkpoints name
# --------------------------------------------------------------------------------------

def install_fake_modules():
    """mmengine.logging.history_buffer.HistoryBuffer and mypkg.Foo, pickled by name only."""
    names = ["mmengine", "mmengine.logging", "mmengine.logging.history_buffer", "mypkg"]
    for n in names:
        if n in sys.modules and not getattr(sys.modules[n], "_swiftdet_fake", False):
            raise SystemExit(f"a real module {n} is installed; run in a venv without it")
    mods = {n: types.ModuleType(n) for n in names}
    for m in mods.values():
        m._swiftdet_fake = True
    mods["mmengine"].logging = mods["mmengine.logging"]
    mods["mmengine.logging"].history_buffer = mods["mmengine.logging.history_buffer"]

    class HistoryBuffer:
        """Same attributes as mmengine's: max_length, _log_history, _count_history, and
        statistics_methods holding its own methods, which protocol 2 pickles as
        getattr(HistoryBuffer, 'min') (as real mmengine checkpoints have)."""

        def __init__(self, log_history=(), count_history=(), max_length=1000000):
            self.max_length = max_length
            self._log_history = np.array(log_history)
            self._count_history = np.array(count_history)
            self.statistics_methods = {"min": HistoryBuffer.min, "max": HistoryBuffer.max}

        def min(self):
            return self._log_history.min()

        def max(self):
            return self._log_history.max()

    HistoryBuffer.__module__ = "mmengine.logging.history_buffer"
    HistoryBuffer.__qualname__ = "HistoryBuffer"
    for method in (HistoryBuffer.min, HistoryBuffer.max):
        method.__module__ = "mmengine.logging.history_buffer"
        method.__qualname__ = "HistoryBuffer." + method.__name__
    mods["mmengine.logging.history_buffer"].HistoryBuffer = HistoryBuffer

    class Foo:
        def __init__(self):
            self.alpha = 1
            self.beta = "two"

    Foo.__module__ = "mypkg"
    Foo.__qualname__ = "Foo"
    mods["mypkg"].Foo = Foo
    sys.modules.update(mods)
    return HistoryBuffer, Foo


HistoryBuffer, Foo = install_fake_modules()


class _Evil:
    """__reduce__ -> (os.system, (cmd,)): pickles as GLOBAL 'posix system' + REDUCE."""

    def __init__(self, tag):
        self.tag = tag

    def __reduce__(self):
        return (os.system, (f"touch /tmp/swiftdet_pwned_{self.tag}",))


class _EvilEval:
    """__reduce__ -> (eval, (src,)): protocol 2 spells it GLOBAL '__builtin__ eval'."""

    def __reduce__(self):
        return (eval, ("__import__('os').system('touch /tmp/swiftdet_pwned_eval')",))


# --------------------------------------------------------------------------------------
# Manifest
# --------------------------------------------------------------------------------------

LOAD, REFUSE = [], []


def tensor_entry(t, with_hex=True):
    e = {"dtype": DTYPE_NAME[t.dtype], "shape": list(t.shape)}
    if with_hex:
        e["hex"] = le_bytes(t).hex()
    return e


def add_load(file, case, top, sd_key, *, expected_safetensors=None, **extra):
    path = out(file)
    with open(path, "rb") as f:
        head = f.read(4)
    fmt = "zip" if head == b"PK\x03\x04" else "legacy"
    sd = top[sd_key] if sd_key is not None else top
    tensors, non_tensor = collections.OrderedDict(), []
    for k, v in sd.items():
        if isinstance(v, torch.Tensor):
            tensors[k] = tensor_entry(v, with_hex=expected_safetensors is None)
        else:
            non_tensor.append(k)
    e = collections.OrderedDict()
    e["file"] = file
    e["case"] = case
    e["format"] = fmt
    e["zip_prefix"] = zip_prefix_of(path) if fmt == "zip" else None
    e["state_dict_key"] = sd_key
    e["top_keys"] = list(top.keys()) if sd_key is not None else None
    e["tensors"] = tensors
    e["non_tensor_keys"] = non_tensor
    e["expected_safetensors"] = expected_safetensors
    e.update(extra)
    LOAD.append(e)


def add_refuse(file, case, kind, detail, offset=None, stream=None):
    e = collections.OrderedDict(file=file, case=case, kind=kind, detail=detail)
    if offset is not None:
        e["offset"] = offset
        e["stream"] = stream
    REFUSE.append(e)


def pkl_stream_of(path):
    """(stream name, pickle bytes, base) where offsets are reported: data.pkl for zip,
    the whole file for legacy."""
    data = open(path, "rb").read()
    if data[:4] == b"PK\x03\x04":
        prefix, recs = read_zip(data)
        return f"{prefix}/data.pkl", dict(recs)["data.pkl"]
    return "file", data


def find_op_offset(path, pred):
    """Offset of the first opcode matching pred(name, arg) in the stream of `path`."""
    stream, data = pkl_stream_of(path)
    if stream == "file":
        spans, _ = legacy_pickle_spans(data)
        ops = [o for s in spans for o in s[2]]
    else:
        ops = pkl_ops(data)
    for name, arg, pos, _ in ops:
        if pred(name, arg):
            return pos, stream
    raise AssertionError(f"opcode not found in {path}")


# --------------------------------------------------------------------------------------
# Must-load fixtures
# --------------------------------------------------------------------------------------

INF, NAN = float("inf"), float("nan")


def dtypes_dict():
    g = gen(1)
    f32 = torch.cat([
        torch.tensor([0.0, -0.0, 1.5, -2.25, INF, -INF, NAN, 3.4028234663852886e38,
                      -1.1754943508222875e-38, 1.401298464324817e-45], dtype=torch.float32),
        torch.randn(10, generator=g)]).reshape(4, 5)
    f64 = torch.cat([
        torch.tensor([0.0, -0.0, 1.7976931348623157e308, 5e-324, -INF, INF, NAN,
                      3.141592653589793, -2.718281828459045, 1.0 / 3.0], dtype=torch.float64),
        torch.randn(2, generator=g, dtype=torch.float64)]).reshape(3, 4)
    f16 = torch.tensor([65504.0, -65504.0, 5.960464477539063e-08, INF, -INF, NAN, 0.5,
                        -1.0 / 3.0], dtype=torch.float16).reshape(2, 4)
    bf16 = torch.tensor([3.3895313892515355e38, -1.0, INF, NAN, 1.0 / 3.0, -0.0, 1e-30, -7.5],
                        dtype=torch.bfloat16)
    return {
        "f32": f32,
        "f64": f64,
        "f16": f16,
        "bf16": bf16,
        "i64": torch.tensor([[-2**63, 2**63 - 1, 0], [-1, 2**40, -3]], dtype=torch.int64),
        "i32": torch.tensor([-2**31, 2**31 - 1, 0, -1, 123456, -654321], dtype=torch.int32),
        "i16": torch.tensor([-32768, 32767, 0, -1, 1234, -4321], dtype=torch.int16),
        "i8": torch.tensor([[-128, 127, 0], [-1, 42, -42]], dtype=torch.int8),
        "u8": torch.tensor([0, 255, 1, 128, 7, 254], dtype=torch.uint8),
        "bool": torch.tensor([[True, False, True], [False, False, True]]),
        "param": nn.Parameter(torch.randn(3, 4, generator=g)),
    }


def views_dict():
    g = gen(3)
    m = torch.randn(4, 6, generator=g)
    transposed = m.t()
    m2 = torch.randn(4, 6, generator=g)
    offset_view = m2[1:3, 2:5]
    s = torch.randn(12, generator=g)
    shared_a = s[:4]
    shared_b = s[4:].view(2, 4)
    shared_c = s.view(3, 4)[:, 1]
    scalar = torch.tensor(123456789, dtype=torch.int64)
    empty = torch.empty(0, 3)
    assert transposed.stride() == (1, 6) and transposed.shape == (6, 4)
    assert offset_view.storage_offset() == 8 and offset_view.stride() == (6, 1)
    assert shared_b.storage_offset() == 4 and shared_c.storage_offset() == 1
    assert shared_c.stride() == (4,) and scalar.dim() == 0
    assert empty.untyped_storage().nbytes() == 0
    return {"transposed": transposed, "offset_view": offset_view, "shared_a": shared_a,
            "shared_b": shared_b, "shared_c": shared_c, "scalar_i64": scalar, "empty_0x3": empty}


class TinyNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, bias=False)
        self.bn = nn.BatchNorm2d(4)
        self.fc = nn.Linear(4, 2)


def fill_(module_or_sd, seed, scale=0.1):
    """Overwrite every floating tensor with seeded values and every int64 buffer with a count."""
    g = gen(seed)
    sd = module_or_sd.state_dict() if isinstance(module_or_sd, nn.Module) else module_or_sd
    with torch.no_grad():
        for i, (k, v) in enumerate(sd.items()):
            if v.is_floating_point():
                if k.endswith("running_var"):
                    v.copy_(1.0 + torch.rand(v.shape, generator=g))
                elif v.dim() == 1 and k.endswith("weight"):
                    v.copy_(1.0 + scale * torch.randn(v.shape, generator=g))
                else:
                    v.copy_(scale * torch.randn(v.shape, generator=g))
            else:
                v.fill_(1000 + i)
    return module_or_sd


def sgd_state(params, seed, lr=0.02, with_grad=lambda i: True):
    """A real torch SGD (momentum, weight decay) after one step."""
    g = gen(seed)
    opt = torch.optim.SGD(params, lr=lr, momentum=0.9, weight_decay=1e-4)
    for i, p in enumerate(params):
        if with_grad(i):
            p.grad = 0.01 * torch.randn(p.shape, generator=g)
    opt.step()
    return opt.state_dict()


def mmengine_parts(dataset_classes, seed_value, cfg_text, epoch=12, iteration=12000):
    classes = tuple(dataset_classes)
    palette = [(220, 20, 60), (119, 11, 32), (0, 0, 142), (0, 0, 230), (106, 0, 228)]
    dataset_meta = {"classes": classes, "palette": palette[:len(classes)]}
    meta = dict([
        ("cfg", cfg_text),
        ("seed", seed_value),
        ("experiment_name", "tiny_20240101_000000"),
        ("time", "20240101_000000"),
        ("mmengine_version", "0.10.7"),
        ("dataset_meta", dataset_meta),
        ("epoch", epoch),
        ("iter", iteration),
    ])
    message_hub = dict([
        ("log_scalars", collections.OrderedDict([
            ("train/lr", HistoryBuffer([0.02, 0.02, 0.0002], [1, 1, 1])),
            ("train/loss", HistoryBuffer(np.array([1.75, 1.5, 1.25], dtype=np.float64),
                                         np.array([2, 2, 2]))),
            ("train/time", HistoryBuffer(np.array([0.5, 0.25], dtype=np.float32), [1, 1])),
        ])),
        ("runtime_info", collections.OrderedDict([
            ("epoch", epoch), ("iter", iteration), ("max_epochs", epoch),
            ("max_iters", iteration), ("dataset_meta", dataset_meta),
        ])),
        ("resumed_keys", collections.OrderedDict([
            ("epoch", True), ("iter", True), ("dataset_meta", False)])),
    ])
    param_schedulers = [
        {"start_factor": 0.001, "end_factor": 1.0, "total_iters": 500, "param_name": "lr",
         "begin": 0, "end": 500, "by_epoch": False, "base_values": [0.02],
         "last_step": 500, "verbose": False, "_get_value_called_within_step": False,
         "_global_step": 500, "_last_value": [0.02]},
        {"milestones": collections.Counter({8: 1, 11: 1}), "gamma": 0.1, "param_name": "lr",
         "begin": 0, "end": epoch, "by_epoch": True, "base_values": [0.02],
         "last_step": epoch, "verbose": False, "_get_value_called_within_step": False,
         "_global_step": epoch, "_last_value": [0.0002]},
    ]
    return meta, message_hub, param_schedulers


def resnet50_tiny_module(width=8, num_classes=10):
    """torchvision ResNet-50 structure (Bottleneck 3,4,6,3, expansion 4) at a tiny width."""

    class Bottleneck(nn.Module):
        expansion = 4

        def __init__(self, inplanes, planes, stride=1, downsample=None):
            super().__init__()
            self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(planes)
            self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(planes)
            self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
            self.bn3 = nn.BatchNorm2d(planes * 4)
            self.relu = nn.ReLU(inplace=True)
            self.downsample = downsample

    class ResNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.inplanes = width
            self.conv1 = nn.Conv2d(3, width, 7, 2, 3, bias=False)
            self.bn1 = nn.BatchNorm2d(width)
            self.relu = nn.ReLU(inplace=True)
            self.maxpool = nn.MaxPool2d(3, 2, 1)
            self.layer1 = self._make_layer(width, 3)
            self.layer2 = self._make_layer(width * 2, 4, 2)
            self.layer3 = self._make_layer(width * 4, 6, 2)
            self.layer4 = self._make_layer(width * 8, 3, 2)
            self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
            self.fc = nn.Linear(width * 8 * 4, num_classes)

        def _make_layer(self, planes, blocks, stride=1):
            downsample = nn.Sequential(
                nn.Conv2d(self.inplanes, planes * 4, 1, stride, bias=False),
                nn.BatchNorm2d(planes * 4))
            layers = [Bottleneck(self.inplanes, planes, stride, downsample)]
            self.inplanes = planes * 4
            layers += [Bottleneck(self.inplanes, planes) for _ in range(1, blocks)]
            return nn.Sequential(*layers)

    torch.manual_seed(0)
    return ResNet()


def resnet50_tiny_dicts():
    """Values for the tiny ResNet-50: every float tensor is a slice, at its own offset, of a
    seeded pool (conv/fc weights N(0, 0.05); bn weight 1 + N(0, 0.05); biases N(0, 0.01);
    running_mean N(0, 0.1); running_var 1 + U(0, 1)); num_batches_tracked = 1000 + index.
    Returns (torchvision-style state dict with one storage per tensor and _metadata,
    the same values without num_batches_tracked as views into the pools)."""
    g = gen(130)
    pools = collections.OrderedDict([
        ("conv", 0.05 * torch.randn(40000, generator=g)),
        ("bnw", 1.0 + 0.05 * torch.randn(2048, generator=g)),
        ("bias", 0.01 * torch.randn(2048, generator=g)),
        ("mean", 0.1 * torch.randn(2048, generator=g)),
        ("var", 1.0 + torch.rand(2048, generator=g)),
    ])
    sd = resnet50_tiny_module().state_dict()
    nonbt = collections.OrderedDict()
    used = collections.defaultdict(set)
    with torch.no_grad():
        for i, (k, v) in enumerate(sd.items()):
            if k.endswith("num_batches_tracked"):
                v.fill_(1000 + i)
                continue
            if k.endswith("running_mean"):
                pool = "mean"
            elif k.endswith("running_var"):
                pool = "var"
            elif k.endswith("bias"):
                pool = "bias"
            elif v.dim() == 1:
                pool = "bnw"
            else:
                pool = "conv"
            p = pools[pool]
            span = p.numel() - v.numel() + 1
            off = (i * 7919) % span
            while off in used[pool]:  # distinct start per tensor: no two tensors alias
                off = (off + 1) % span
            used[pool].add(off)
            view = p[off:off + v.numel()].view(v.shape)
            v.copy_(view)
            nonbt[k] = view
    return sd, nonbt


def tiny_demo_state_dict():
    """float32 tensors for every tiny-demo key: conv/linear weights N(0, 0.05), norm
    (GroupNorm, 1-D) weights 1 + N(0, 0.05), biases N(0, 0.01); in key order, seed 2024."""
    g = gen(2024)
    sd = collections.OrderedDict()
    for key, shape in TINY_DEMO_KEYS:
        if key.endswith(".bias"):
            t = 0.01 * torch.randn(shape, generator=g)
        elif len(shape) == 1:
            t = 1.0 + 0.05 * torch.randn(shape, generator=g)
        else:
            t = 0.05 * torch.randn(shape, generator=g)
        sd[key] = t
    sd._metadata = module_metadata(sd.keys())
    return sd


def build_load_cases():
    # 1. zip, protocol 2, every dtype plus a Parameter (saved to a path: prefix = stem).
    d = dtypes_dict()
    save(d, "zip_p2_dtypes.pth")
    add_load("zip_p2_dtypes.pth",
             "zip, protocol 2: one tensor of each of the 10 dtypes (inf/nan/-0.0/subnormals, "
             "integer extremes) and an nn.Parameter (_rebuild_parameter)", d, None)

    # 2. the same dict, legacy format.
    save(d, "legacy_dtypes.pth", legacy=True)
    add_load("legacy_dtypes.pth",
             "legacy format (_use_new_zipfile_serialization=False) of the zip_p2_dtypes dict",
             d, None)

    # 3. geometry: transpose, offset view, shared storage, 0-dim, (0,3) with empty storage.
    v = views_dict()
    save(v, "zip_views.pth")
    add_load("zip_views.pth",
             "zip: transposed (6,4) stride (1,6); offset_view (2,3) offset 8 stride (6,1); "
             "shared_a/b/c share one 12-element storage (offsets 0, 4, 1; shared_c stride (4,)); "
             "0-dim int64; (0,3) float32 whose storage has 0 elements", v, None)
    save(v, "legacy_views.pth", legacy=True)
    add_load("legacy_views.pth", "legacy format of the zip_views dict", v, None)

    # 3b. stride-0 (expanded) tensors.
    g = gen(31)
    ex = {"expanded_row": torch.randn(1, 5, generator=g).expand(3, 5),
          "expanded_scalar": torch.tensor(2.5).expand(2, 3)}
    assert ex["expanded_row"].stride() == (0, 1) and ex["expanded_scalar"].stride() == (0, 0)
    save(ex, "zip_expand.pth")
    add_load("zip_expand.pth",
             "zip: stride-0 tensors from expand(): (3,5) stride (0,1) over a 5-element storage; "
             "(2,3) stride (0,0) over a 1-element storage", ex, None)

    # 4. {meta, state_dict, optimizer} with every plain pickle value type in meta.
    g = gen(4)
    w = nn.Parameter(torch.randn(3, 2, generator=g))
    b = nn.Parameter(torch.randn(3, generator=g))
    optim = sgd_state([w, b], seed=41)
    meta = dict([
        ("nested", {"list": [1, [2, 3], {"k": (4, 5.5)}], "tuple": (1, "two", (3,)),
                    "empty": {"l": [], "t": (), "d": {}}}),
        ("text", "line one\nline two\n"),
        ("unicode", "Gr\u00f6\u00dfe \u2013 \u65e5\u672c\u8a9e \U0001F642"),
        ("none", None), ("yes", True), ("no", False),
        ("big", 2**40), ("neg", -3), ("int1", 200), ("int2", 60000), ("int4", -100000),
        ("huge", 2**70),
        ("float", 0.1), ("negfloat", -2.5e-300),
        ("bytes", b"\x00\x01\x02\xfe\xffSwiftDet"),
        ("many", {f"k{i}": i for i in range(2500)}),
        ("long_list", list(range(2500))),
    ])
    sd = collections.OrderedDict([
        ("weight", w.detach().clone()), ("bias", b.detach().clone()),
        ("iteration", 7), ("tag", "not a tensor")])
    top = dict([("meta", meta), ("state_dict", sd), ("optimizer", optim)])
    save(top, "zip_meta.pth")
    names = [o[0] for o in pkl_ops(dict(read_zip(open(out("zip_meta.pth"), "rb").read())[1])["data.pkl"])]
    assert names.count("SETITEMS") >= 3 + 1 and names.count("APPENDS") >= 3
    add_load("zip_meta.pth",
             "zip {meta, state_dict, optimizer}: meta holds nested dict/list/tuple, str with \\n, "
             "unicode (incl. non-BMP), None, bools, 2**40 and 2**70 (LONG1), -3, floats, bytes "
             "(_codecs.encode), a 2500-entry dict and a 2500-item list (several SETITEMS / "
             "APPENDS batches of <= 1000); optimizer is a real SGD state dict; state_dict has "
             "two non-tensor entries", top, "state_dict")

    # 5. numpy values in meta (numpy 2 spelling), plus a numpy-1.x-spelled copy.
    g = gen(5)
    meta = dict([
        ("seed", np.int64(1234567890123)),
        ("lr", np.float64(0.02)),
        ("workers", np.int32(4)),
        ("mean", np.array([123.675, 116.28, 103.53], dtype=np.float32)),
        ("grid", np.arange(6, dtype=np.int64).reshape(2, 3)),
    ])
    sd = collections.OrderedDict([("w", torch.randn(2, 3, generator=g)),
                                  ("b", torch.randn(2, generator=g))])
    top = dict([("meta", meta), ("state_dict", sd)])
    save(top, "zip_numpy.pth")
    pre, recs = read_zip(open(out("zip_numpy.pth"), "rb").read())
    pkl = dict(recs)["data.pkl"]
    globals_ = [o[1] for o in pkl_ops(pkl) if o[0] == "GLOBAL"]
    assert "numpy._core.multiarray scalar" in globals_, globals_
    assert "numpy._core.multiarray _reconstruct" in globals_, globals_
    add_load("zip_numpy.pth",
             "zip: meta holds np.int64 seed, np.float64, np.int32, float32 and int64 ndarrays "
             "(GLOBALs numpy._core.multiarray scalar/_reconstruct, numpy dtype, numpy ndarray)",
             top, "state_dict")
    new_pkl = pkl
    for name, arg, p, e in reversed(pkl_ops(pkl)):
        if name == "GLOBAL" and arg.startswith("numpy._core.multiarray "):
            new_pkl = splice(new_pkl, p, e, b"c" + arg.replace(
                "numpy._core.multiarray ", "numpy.core.multiarray\n").encode() + b"\n")
    assert b"numpy._core" not in new_pkl and b"numpy.core.multiarray\n" in new_pkl
    write_torch_zip(out("zip_numpy1x.pth"),
                    [(n, new_pkl if n == "data.pkl" else r) for n, r in recs])
    add_load("zip_numpy1x.pth",
             "zip_numpy with its pickle patched to numpy 1.x spelling (GLOBAL "
             "numpy.core.multiarray scalar/_reconstruct), re-written with torch's zip writer "
             "(CRC and sizes fixed); torch 2.15 + numpy 2.4 still loads it", top, "state_dict")

    # 6. a full mmengine-style checkpoint (saved to a file object: prefix archive/).
    net = fill_(TinyNet(), seed=6)
    sd = net.state_dict()
    assert hasattr(sd, "_metadata")
    optim = sgd_state(list(net.parameters()), seed=61)
    meta, hub, scheds = mmengine_parts(["apple", "banana", "cherry"], 42,
                                       "model = dict(type='TinyNet')\nseed = 42\n")
    top = dict([("meta", meta), ("state_dict", sd), ("message_hub", hub),
                                   ("optimizer", optim), ("param_schedulers", scheds)])
    save(top, "mmengine_full.pth", fileobj=True)
    add_load("mmengine_full.pth",
             "mmengine full checkpoint (zip to a file object): meta (cfg text, seed, epoch, "
             "iter, dataset_meta classes tuple + palette list of tuples), state_dict with "
             "_metadata, message_hub with mmengine.logging.history_buffer.HistoryBuffer "
             "objects holding numpy arrays and their statistics methods as getattr(HistoryBuffer, name) (NEWOBJ + BUILD), SGD momentum optimizer, "
             "param_schedulers with collections.Counter milestones", top, "state_dict")

    # 7. a real module's state_dict: _metadata (BUILD), >256 memo entries, SETITEMS.
    net = fill_(nn.Sequential(*[nn.Sequential(nn.Conv1d(2, 2, 1), nn.BatchNorm1d(2))
                                for _ in range(43)]), seed=7)
    sd = net.state_dict()
    assert len(sd) == 301
    save(sd, "module_sd.pth")
    ops = pkl_ops(dict(read_zip(open(out("module_sd.pth"), "rb").read())[1])["data.pkl"])
    names = [o[0] for o in ops]
    assert "SETITEMS" in names and "LONG_BINPUT" in names and "LONG_BINGET" in names
    assert "BUILD" in names
    nput = sum(1 for n in names if n in ("BINPUT", "LONG_BINPUT"))
    add_load("module_sd.pth",
             "zip: .state_dict() of nn.Sequential of 43 (Conv1d(2,2,1), BatchNorm1d(2)): 301 "
             "tensors (0-dim int64 num_batches_tracked), _metadata via BUILD on the "
             f"OrderedDict, {nput} memo entries (LONG_BINPUT/LONG_BINGET), SETITEMS", sd, None)

    # 8. pickle protocol 4.
    g = gen(8)
    sd = collections.OrderedDict([
        ("w", torch.randn(2, 3, generator=g)),
        ("idx", torch.tensor([5, -6, 7], dtype=torch.int64)),
        ("h", torch.tensor([1.0, -2.0, 0.125], dtype=torch.float16))])
    top = dict([("meta", {"name": "protocol 4", "bytes": b"\x00\x01\xffxyz",
                                             "long_bytes": bytes(range(256)) * 2}),
                                   ("state_dict", sd)])
    save(top, "zip_p4.pth", protocol=4)
    names = {o[0] for o in pkl_ops(dict(read_zip(open(out("zip_p4.pth"), "rb").read())[1])["data.pkl"])}
    assert {"FRAME", "SHORT_BINUNICODE", "MEMOIZE", "STACK_GLOBAL", "SHORT_BINBYTES",
            "BINBYTES"} <= names, names
    add_load("zip_p4.pth",
             "zip, pickle_protocol=4: FRAME, SHORT_BINUNICODE, MEMOIZE, STACK_GLOBAL; meta bytes "
             "as SHORT_BINBYTES and BINBYTES", top, "state_dict")

    # 9. saved to a file object (archive/) and to a path with dots in its stem.
    g = gen(9)
    sd = collections.OrderedDict([("a", torch.randn(4, generator=g)),
                                  ("b", torch.arange(6, dtype=torch.int32).reshape(3, 2))])
    save(sd, "fileobj_archive.pth", fileobj=True)
    add_load("fileobj_archive.pth", "zip saved to a file object: entry prefix 'archive'",
             sd, None)
    save(sd, "weird.name.v2.pth")
    add_load("weird.name.v2.pth", "zip saved to the path weird.name.v2.pth: entry prefix "
             "'weird.name.v2'", sd, None)

    # 10. re-written by Python's zipfile (stored, no alignment, sizes in local headers).
    pre, recs = read_zip(open(out("zip_p2_dtypes.pth"), "rb").read())
    rewrite_with_zipfile(out("pyzip_rewrite.pth"), pre, recs, zipfile.ZIP_STORED)
    add_load("pyzip_rewrite.pth",
             "zip_p2_dtypes.pth re-written by Python zipfile: stored, no 64-byte alignment, no "
             "data descriptors, CRC/sizes in local headers, prefix kept as 'zip_p2_dtypes' "
             "(does not match the file name)", d, None)

    # 11. byteorder 'big' with every multi-byte element swapped.
    pids = scan_pids(dict(recs)["data.pkl"])
    big = []
    for name, rec in recs:
        if name == "byteorder":
            rec = b"big"
        elif name.startswith("data/"):
            isz = STORAGE_ITEMSIZE[pids[name[5:]][0]]
            if isz > 1:
                rec = np.frombuffer(rec, dtype=f"u{isz}").byteswap().tobytes()
        big.append((name, rec))
    write_torch_zip(out("zip_bigendian.pth"), big)
    add_load("zip_bigendian.pth",
             "zip_p2_dtypes with byteorder record 'big' and every element wider than 1 byte "
             "byte-swapped in data/*; torch.load returns the same values", d, None)

    # 12. location tag cuda:0.
    g = gen(12)
    sd = collections.OrderedDict([("w", torch.randn(2, 2, generator=g)),
                                  ("n", torch.tensor(3, dtype=torch.int64))])
    save(sd, "zip_cuda0_src.tmp")
    pre, recs = read_zip(open(out("zip_cuda0_src.tmp"), "rb").read())
    os.remove(out("zip_cuda0_src.tmp"))
    pkl = dict(recs)["data.pkl"]
    assert pkl.count(binunicode("cpu")) == 1
    pkl = pkl.replace(binunicode("cpu"), binunicode("cuda:0"))
    assert {loc for _, loc, _ in scan_pids(pkl).values()} == {"cuda:0"}
    write_torch_zip(out("zip_cuda0.pth"), [(n, pkl if n == "data.pkl" else r) for n, r in recs])
    add_load("zip_cuda0.pth",
             "zip whose persistent ids say location 'cuda:0' (pickle patched); torch.load needs "
             "map_location='cpu' on a machine without CUDA; a reader should load it to CPU",
             sd, None)

    # 13. key conventions.
    g = gen(13)
    sd = collections.OrderedDict([
        ("module.conv.weight", torch.randn(2, 1, 3, 3, generator=g)),
        ("module.bn.weight", torch.rand(2, generator=g)),
        ("module.bn.bias", torch.randn(2, generator=g)),
        ("module.bn.running_mean", torch.randn(2, generator=g)),
        ("module.bn.running_var", torch.rand(2, generator=g) + 1),
        ("module.bn.num_batches_tracked", torch.tensor(10, dtype=torch.int64))])
    save(sd, "keys_module.pth")
    add_load("keys_module.pth", "zip, DataParallel-style keys prefixed 'module.'", sd, None)

    sd = collections.OrderedDict([
        ("backbone.conv1.weight", torch.randn(8, 3, 7, 7, generator=g) * 0.05),
        ("backbone.bn1.weight", 1 + 0.05 * torch.randn(8, generator=g)),
        ("backbone.bn1.bias", 0.01 * torch.randn(8, generator=g)),
        ("backbone.bn1.running_mean", 0.1 * torch.randn(8, generator=g)),
        ("backbone.bn1.running_var", 1 + torch.rand(8, generator=g)),
        ("backbone.bn1.num_batches_tracked", torch.tensor(0, dtype=torch.int64)),
        ("backbone.layer1.0.conv1.weight", torch.randn(8, 8, 1, 1, generator=g) * 0.05),
        ("head.fc.weight", torch.randn(10, 8, generator=g) * 0.05),
        ("head.fc.bias", torch.zeros(10)),
    ])
    top = dict([("meta", {"mmcls_version": "0.25.0", "CLASSES": None}),
                                   ("state_dict", sd)])
    save(top, "keys_mmcls.pth")
    add_load("keys_mmcls.pth",
             "zip {meta, state_dict}, mmcls classifier layout: backbone.* (stem + one conv) plus "
             "head.fc.weight/bias; load with prefix 'backbone.'", top, "state_dict")

    sd, nonbt = resnet50_tiny_dicts()
    assert len(sd) == 320 and list(sd)[-2:] == ["fc.weight", "fc.bias"]
    st_save_file(collections.OrderedDict((k, v.contiguous()) for k, v in sd.items()),
                 out("resnet50_tiny.safetensors"), metadata={"format": "pt"})
    save(sd, "resnet50_tiny.pth")
    add_load("resnet50_tiny.pth",
             "zip, torchvision ResNet-50 state dict (bare OrderedDict with _metadata, bn "
             "version 2), one storage per tensor: the real 320 key names at width 8 (stem 8, "
             "bottleneck planes 8/16/32/64, expansion 4), fc.weight [10, 256] (10 classes "
             "instead of 1000 to stay under 2 MB); fc.* is 'unexpected' for a detector backbone",
             sd, None, expected_safetensors="resnet50_tiny.safetensors")
    assert len(nonbt) == 320 - 53
    save(nonbt, "resnet50_tiny_nonbt.pth", legacy=True)
    add_load("resnet50_tiny_nonbt.pth",
             "LEGACY format (like the 2017 torchvision zoo files), resnet50_tiny without any "
             "num_batches_tracked key (267 keys, no _metadata); a missing num_batches_tracked "
             "must not be an error. Same values as resnet50_tiny, but to save space every "
             "tensor is a view at its own offset into one of 5 shared pool storages (so "
             "views of shared legacy storages are exercised too). Values in "
             "resnet50_tiny.safetensors, which also has the 53 num_batches_tracked keys",
             nonbt, None, expected_safetensors="resnet50_tiny.safetensors")

    # 14. tensors carrying Python attributes.
    g = gen(14)
    x = torch.randn(2, 3, generator=g)
    x.note = "has a python attribute"
    x.count = 3
    p = nn.Parameter(torch.randn(4, generator=g))
    p.tag = "param attr"
    sd = collections.OrderedDict([("x", x), ("p", p), ("plain", torch.arange(3.0))])
    save(sd, "zip_tensor_attr.pth")
    gl = [o[1] for o in pkl_ops(dict(read_zip(open(out("zip_tensor_attr.pth"), "rb").read())[1])["data.pkl"]) if o[0] == "GLOBAL"]
    assert "torch._tensor _rebuild_from_type_v2" in gl and "torch._utils _rebuild_parameter_with_state" in gl
    add_load("zip_tensor_attr.pth",
             "zip: a tensor with Python attributes (torch._tensor._rebuild_from_type_v2, type "
             "torch.Tensor, state dict) and a Parameter with an attribute "
             "(torch._utils._rebuild_parameter_with_state)", sd, None)

    # 15. the tiny demo model, four ways.
    sd = tiny_demo_state_dict()
    st_save_file(sd, out("tiny_demo.safetensors"), metadata={"format": "pt"})
    params = [nn.Parameter(t.clone()) for t in sd.values()]
    # fine-tuning only the predictors: only rpn_head.* and the bbox head's fc_cls/fc_reg get
    # gradients, hence momentum buffers (keeps the fixture set small); the param group
    # still lists all 124 parameters.
    trainable = [k.startswith(("rpn_head.", "roi_head.bbox_head.fc_")) for k in sd]
    optim = sgd_state(params, seed=151, with_grad=lambda i: trainable[i])
    meta, hub, scheds = mmengine_parts(["apple", "banana", "cherry"], 2024, "# tiny demo")
    top = dict([("meta", meta), ("state_dict", sd), ("message_hub", hub),
                                   ("optimizer", optim), ("param_schedulers", scheds)])
    save(top, "tiny_demo_mmengine.pth", fileobj=True)
    add_load("tiny_demo_mmengine.pth",
             "tiny demo model as a full mmengine checkpoint (zip to a file object): meta, "
             "state_dict (124 float32, _metadata), message_hub (HistoryBuffer), optimizer "
             "(SGD momentum; buffers only for rpn_head.* and bbox_head.fc_*), param_schedulers "
             "(Counter)", top, "state_dict", expected_safetensors="tiny_demo.safetensors")
    pub = dict([("meta", meta), ("state_dict", sd)])
    save(pub, "tiny_demo_publish.pth", legacy=True)
    add_load("tiny_demo_publish.pth",
             "tiny demo model as mmdetection publish_model.py writes it: {meta, state_dict} in "
             "the LEGACY format", pub, "state_dict", expected_safetensors="tiny_demo.safetensors")
    mod = collections.OrderedDict(("module." + k, v) for k, v in sd.items())
    save(mod, "tiny_demo_module.pth")
    add_load("tiny_demo_module.pth",
             "tiny demo model, zip, top dict = the state dict, every key prefixed 'module.' "
             "(the safetensors keys are these keys without 'module.')", mod, None,
             expected_safetensors="tiny_demo.safetensors", safetensors_key_prefix="module.")


# --------------------------------------------------------------------------------------
# Must-refuse fixtures (written only; never unpickled by this script)
# --------------------------------------------------------------------------------------

def refuse_base(meta_value="PLACEHOLDER"):
    """{meta, state_dict}; state_dict w = arange(6) as float32 [2,3], b = [0.5,-1,2,-4]."""
    sd = collections.OrderedDict([
        ("w", torch.arange(6, dtype=torch.float32).reshape(2, 3)),
        ("b", torch.tensor([0.5, -1.0, 2.0, -4.0]))])
    return {"meta": {"note": meta_value, "epoch": 1}, "state_dict": sd}


BASE_DESC = "state_dict {w: float32 [2,3] = arange(6), b: float32 [4] = [0.5,-1,2,-4]}"


def patched_zip(name, pkl_patch=None, rec_patch=None):
    """Save refuse_base() to bytes, patch data.pkl and/or records, write with torch's writer."""
    buf = io.BytesIO()
    torch.save(refuse_base(), buf)
    _, recs = read_zip(buf.getvalue())
    new = []
    for n, r in recs:
        if n == "data.pkl" and pkl_patch is not None:
            r = pkl_patch(r)
        if rec_patch is not None:
            nr = rec_patch(n, r)
            if nr is None:
                continue
            r = nr
        new.append((n, r))
    write_torch_zip(out(name), new)
    return out(name)


def first_op(ops, name, arg=None, start=0):
    for i in range(start, len(ops)):
        if ops[i][0] == name and (arg is None or ops[i][1] == arg):
            return i
    raise AssertionError((name, arg))


def replace_placeholder(new_bytes):
    def patch(pkl):
        old = binunicode("PLACEHOLDER")
        assert pkl.count(old) == 1
        return pkl.replace(old, new_bytes)
    return patch


def build_refuse_cases():
    # 1. os.system via REDUCE inside meta: zip, legacy, protocol 4.
    for tag, kw, fname in [("zip", {}, "evil_system_zip.pth"),
                           ("legacy", {"legacy": True}, "evil_system_legacy.pth"),
                           ("p4", {"protocol": 4}, "evil_system_p4.pth")]:
        save(refuse_base(_Evil(tag)), fname, **kw)
        if tag == "p4":
            off, stream = find_op_offset(out(fname), lambda n, a: n == "STACK_GLOBAL")
            how = "SHORT_BINUNICODE 'posix', 'system' + STACK_GLOBAL (offset = STACK_GLOBAL)"
        else:
            off, stream = find_op_offset(out(fname), lambda n, a: n == "GLOBAL" and a == "posix system")
            how = "GLOBAL 'posix system' (offset = the GLOBAL opcode)"
        add_refuse(fname,
                   f"os.system via REDUCE inside meta ({tag}); {how}; running it would create "
                   f"/tmp/swiftdet_pwned_{tag}", "blocked_global", "posix.system", off, stream)

    # 2. builtins.eval.
    save(refuse_base(_EvilEval()), "evil_eval.pth")
    off, stream = find_op_offset(out("evil_eval.pth"), lambda n, a: n == "GLOBAL" and a == "__builtin__ eval")
    add_refuse("evil_eval.pth", "builtins.eval via REDUCE inside meta (zip, protocol 2 spells it "
               "GLOBAL '__builtin__ eval'); would create /tmp/swiftdet_pwned_eval",
               "blocked_global", "__builtin__.eval", off, stream)

    # 3. proto-0 opcodes INST / OBJ / STRING in meta (benign targets, still refused).
    for fname, payload, code, what in [
            ("opcode_inst.pth", b"(icollections\nOrderedDict\n", 0x69,
             "MARK + INST 'collections OrderedDict'"),
            ("opcode_obj.pth", b"(ccollections\nOrderedDict\no", 0x6F,
             "MARK + GLOBAL 'collections OrderedDict' + OBJ"),
            ("opcode_string.pth", b"S'hello'\n", 0x53, "STRING 'hello'")]:
        patched_zip(fname, pkl_patch=replace_placeholder(payload))
        opname = {0x69: "INST", 0x6F: "OBJ", 0x53: "STRING"}[code]
        off, stream = find_op_offset(out(fname), lambda n, a: n == opname)
        add_refuse(fname, f"zip; meta['note'] is {what} (protocol-0 opcode); "
                   f"'unsupported pickle opcode'", "opcode", f"0x{code:02x}", off, stream)

    # 4. unknown class in meta.
    save(refuse_base(Foo()), "unknown_global.pth")
    off, stream = find_op_offset(out("unknown_global.pth"), lambda n, a: n == "GLOBAL" and a == "mypkg Foo")
    add_refuse("unknown_global.pth",
               "zip; meta['note'] is an instance of mypkg.Foo (GLOBAL 'mypkg Foo', EMPTY_TUPLE, "
               "NEWOBJ, BUILD with {alpha: 1, beta: 'two'}); refused by default, loads with "
               f"allowGlobal mypkg.Foo giving {BASE_DESC}", "unknown_global", "mypkg.Foo",
               off, stream)

    # 5. persistent-id tampering.
    def pid_tag(pkl):
        assert pkl.count(binunicode("storage")) == 1
        return pkl.replace(binunicode("storage"), binunicode("tensors"))
    patched_zip("pid_not_storage.pth", pkl_patch=pid_tag)
    off, stream = find_op_offset(out("pid_not_storage.pth"), lambda n, a: n == "BINPERSID")
    add_refuse("pid_not_storage.pth", "zip; persistent ids are ('tensors', ...) instead of "
               "('storage', ...) (offset = first BINPERSID)", "persistent_id",
               "pid[0] == 'tensors'", off, stream)

    def pid_class(new_global):
        def patch(pkl):
            ops = pkl_ops(pkl)
            i = first_op(ops, "GLOBAL", "torch FloatStorage")
            return splice(pkl, ops[i][2], ops[i][3], new_global)
        return patch
    patched_zip("pid_class_ordereddict.pth",
                pkl_patch=pid_class(b"ccollections\nOrderedDict\n"))
    off, stream = find_op_offset(out("pid_class_ordereddict.pth"), lambda n, a: n == "BINPERSID")
    add_refuse("pid_class_ordereddict.pth",
               "zip; pid[1] (storage class) is collections.OrderedDict, an allowed global that is "
               "not a torch storage class (offset = first BINPERSID)", "storage_class",
               "collections.OrderedDict", off, stream)
    patched_zip("pid_class_system.pth", pkl_patch=pid_class(b"cposix\nsystem\n"))
    off, stream = find_op_offset(out("pid_class_system.pth"), lambda n, a: n == "GLOBAL" and a == "posix system")
    add_refuse("pid_class_system.pth",
               "zip; pid[1] (storage class) is os.system (GLOBAL 'posix system'); the GLOBAL is "
               "refused as blocked before BINPERSID checks the class", "blocked_global",
               "posix.system", off, stream)

    def pid_key(pkl):
        ops = pkl_ops(pkl)
        i = first_op(ops, "GLOBAL", "torch FloatStorage")
        j = first_op(ops, "BINUNICODE", None, i)
        assert ops[j][1] == "0"
        return splice(pkl, ops[j][2], ops[j][3], binunicode("../../data/0"))
    patched_zip("pid_key_traversal.pth", pkl_patch=pid_key)
    off, stream = find_op_offset(out("pid_key_traversal.pth"), lambda n, a: n == "BINUNICODE" and a == "../../data/0")
    add_refuse("pid_key_traversal.pth", "zip; first storage key is '../../data/0' "
               "(offset = its BINUNICODE)", "storage_key", "../../data/0", off, stream)

    # 6. geometry.
    def geom(kind):
        def patch(pkl):
            ops = pkl_ops(pkl)
            j = first_op(ops, "BINPERSID")  # tensor w: offset 0, size (2,3), stride (3,1)
            o_off, s0, s1, tup = ops[j + 1], ops[j + 2], ops[j + 3], ops[j + 4]
            assert (o_off[1], s0[1], s1[1], tup[0]) == (0, 2, 3, "TUPLE2"), ops[j:j + 5]
            if kind == "size":
                return splice(pkl, s0[2], s0[3], b"K\x04")
            if kind == "offset":
                return splice(pkl, o_off[2], o_off[3], b"K\x05")
            return splice(pkl, s0[2], s0[3], b"\x8a\x08" + (2**62).to_bytes(8, "little") )
        return patch
    for fname, kind, case, k, detail in [
            ("bounds_size.pth", "size", "size of w patched (2,3) -> (4,3): needs 12 elements, "
             "storage 0 has 6", "tensor_bounds", "storage 0 has 6 elements, tensor w needs 12"),
            ("bounds_offset.pth", "offset", "storage offset of w patched 0 -> 5: needs 11 "
             "elements, storage 0 has 6", "tensor_bounds",
             "storage 0 has 6 elements, tensor w needs 11"),
            ("size_overflow.pth", "overflow", "size of w patched to (2**62, 3) (LONG1): numel "
             "overflows int64 (torch: integer multiplication overflow)", "size_overflow",
             "size (4611686018427387904, 3), stride (3, 1)")]:
        patched_zip(fname, pkl_patch=geom(kind))
        off, stream = find_op_offset(out(fname), lambda n, a: n == "BINPERSID")
        add_refuse(fname, f"zip; {case} (offset = w's BINPERSID)", k, detail, off, stream)

    # 7. storage records and CRC.
    patched_zip("storage_short.pth",
                rec_patch=lambda n, r: r[:-4] if n == "data/0" else r)
    add_refuse("storage_short.pth", "zip; data/0 is 20 bytes, the pid says 6 float32 (24 bytes)",
               "storage_short", "data/0: 20 bytes, expected 24")
    patched_zip("storage_missing.pth",
                rec_patch=lambda n, r: None if n == "data/0" else r)
    add_refuse("storage_missing.pth", "zip; the data/0 entry is absent", "storage_missing",
               "storage_missing/data/0")
    torch.save(refuse_base(), out("crc_mismatch.pth"))
    start, size = data_pkl_offset(out("crc_mismatch.pth"))
    raw = bytearray(open(out("crc_mismatch.pth"), "rb").read())
    pkl = bytes(raw[start:start + size])
    i = pkl.index(binunicode("epoch"))
    raw[start + i + 5] = ord("E")  # 'epoch' -> 'Epoch': still a valid pickle
    open(out("crc_mismatch.pth"), "wb").write(bytes(raw))
    add_refuse("crc_mismatch.pth",
               f"zip; one byte of crc_mismatch/data.pkl changed in place ('epoch' -> 'Epoch' at "
               f"file byte {start + i + 5}) without updating the CRC-32 in the data descriptor "
               "and central directory", "crc", f"crc_mismatch/data.pkl, file byte {start + i + 5}")

    # 8. container-level damage.
    torch.save(refuse_base(), out("truncated_zip.pth"))
    raw = open(out("truncated_zip.pth"), "rb").read()
    open(out("truncated_zip.pth"), "wb").write(raw[:len(raw) // 2])
    add_refuse("truncated_zip.pth", f"zip cut to half its length ({len(raw) // 2} of {len(raw)} "
               "bytes): no central directory / EOCD", "truncated_zip", "no end of central directory")
    save(refuse_base(), "truncated_legacy.pth", legacy=True)
    raw = open(out("truncated_legacy.pth"), "rb").read()
    open(out("truncated_legacy.pth"), "wb").write(raw[:-10])
    add_refuse("truncated_legacy.pth", "legacy file missing its last 10 bytes (inside the last "
               "storage record)", "truncated_legacy", "truncated storage")
    save(refuse_base(), "bad_magic.pth", legacy=True)
    raw = bytearray(open(out("bad_magic.pth"), "rb").read())
    assert raw[:15] == LEGACY_MAGIC
    raw[3] ^= 0x01  # magic LONG1 0x1950A86A20F9469CFC6C -> ...FC6D
    open(out("bad_magic.pth"), "wb").write(bytes(raw))
    add_refuse("bad_magic.pth", "legacy file whose magic number's lowest byte is 0x6D instead of "
               "0x6C (file byte 3)", "bad_magic", "80 02 8A 0A 6D FC ...")
    tbuf = io.BytesIO()
    with tarfile.open(fileobj=tbuf, mode="w", format=tarfile.USTAR_FORMAT) as tf:
        for member, payload in [("sys_info", b"\x80\x02}q\x00."), ("pickle", b"\x80\x02}q\x00."),
                                ("storages", b"\x80\x02K\x00.")]:
            ti = tarfile.TarInfo(member)
            ti.size, ti.mtime, ti.mode, ti.uname, ti.gname = len(payload), 0, 0o644, "", ""
            tf.addfile(ti, io.BytesIO(payload))
    raw = tbuf.getvalue()
    assert raw[257:262] == b"ustar"
    open(out("tar_format.pth"), "wb").write(raw)
    add_refuse("tar_format.pth", "tar archive (torch <= 0.1 layout: sys_info, pickle, storages)",
               "tar", "'ustar' at byte 257")
    open(out("empty.pth"), "wb").close()
    add_refuse("empty.pth", "0-byte file", "empty", "0 bytes")
    rnd = np.random.default_rng(8).integers(0, 256, 4096, dtype=np.uint8).tobytes()
    assert rnd[:2] not in (b"PK", b"\x80\x02")
    open(out("random.pth"), "wb").write(rnd)
    add_refuse("random.pth", "4096 random bytes (numpy default_rng(8))", "random",
               f"first bytes {rnd[:4].hex()}")

    # 9. pickle VM resource limits.
    x = []
    for _ in range(64):
        x = [x, x]
    torch.save(x, out("memo_bomb.pth"))
    add_refuse("memo_bomb.pth",
               "zip; data.pkl is 64 levels of [x, x] built with BINGET (2**64 nodes if memo "
               "entries are deep-copied)", "memo_bomb",
               "may also load successfully as a non-dict top object (a list: 'no state dict'); "
               "either way a reader must finish in milliseconds with bounded memory")
    n = 20000

    def raw_pkl_zip(fname, body):
        write_torch_zip(out(fname), [("data.pkl", body), (".format_version", b"1"),
                                     (".storage_alignment", b"64"), ("byteorder", b"little")])
    raw_pkl_zip("nest_marks.pth", b"\x80\x02" + b"(" * n + b"t" * n + b".")
    add_refuse("nest_marks.pth", f"zip; data.pkl = PROTO 2, {n} MARKs, {n} TUPLEs, STOP (a "
               f"valid pickle of {n} nested tuples); the mark-depth cap (1000) must trip",
               "nesting", f"MARK depth {n} (MARKs at data.pkl bytes 2..{n + 1})")
    raw_pkl_zip("nest_lists.pth", b"\x80\x02" + b"]" * n + b"a" * n + b".")
    add_refuse("nest_lists.pth", f"zip; data.pkl = PROTO 2, {n} EMPTY_LISTs, {n} APPENDs, STOP "
               f"({n} nested lists); the nesting cap (1000) must trip", "nesting",
               f"list nesting {n}")

    def memo_missing(pkl):
        ops = pkl_ops(pkl)
        used = {o[1] for o in ops if o[0] in ("BINPUT", "LONG_BINPUT")}
        j = first_op(ops, "BINPERSID")
        k = first_op(ops, "BINGET", None, j)  # w's hooks: BINGET of collections.OrderedDict
        assert 250 not in used
        return splice(pkl, ops[k][2], ops[k][3], b"h\xfa")
    patched_zip("memo_missing.pth", pkl_patch=memo_missing)
    off, stream = find_op_offset(out("memo_missing.pth"), lambda n_, a: n_ == "BINGET" and a == 250)
    add_refuse("memo_missing.pth", "zip; the BINGET that fetches collections.OrderedDict for "
               "tensor w's backward_hooks argument patched to memo index 250, which was never "
               "set", "memo_missing", "BINGET 250", off, stream)

    def stop_two(pkl):
        assert pkl.endswith(b".")
        return pkl[:-1] + b"N."
    patched_zip("stop_stack.pth", pkl_patch=stop_two)
    _, data = pkl_stream_of(out("stop_stack.pth"))
    add_refuse("stop_stack.pth", "zip; a NONE inserted before the final STOP: two items on the "
               "stack at STOP", "stop_stack", f"STOP at byte {len(data) - 1} with 2 stack items",
               len(data) - 1, "stop_stack/data.pkl")

    # 10. not a checkpoint archive.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.manual_seed(10)
        torch.jit.save(torch.jit.script(nn.Linear(2, 2)), out("torchscript.pth"))
    with zipfile.ZipFile(out("torchscript.pth")) as z:
        names = z.namelist()
    assert any(n.endswith("/constants.pkl") for n in names) and any("/code/" in n for n in names)
    with zipfile.ZipFile(out("torchscript.pth")) as z:
        deflated = [i.filename for i in z.infolist() if i.compress_type != zipfile.ZIP_STORED]
    add_refuse("torchscript.pth", "torch.jit.save of a scripted nn.Linear(2, 2): has "
               "<p>/constants.pkl and <p>/code/; note torch stores "
               f"{', '.join(deflated) or 'no entry'} deflate-compressed, so detect TorchScript "
               "from the entry names before rejecting compressed entries", "torchscript",
               f"prefix {names[0].split('/')[0]}")
    pre, recs = read_zip(open(out("zip_p2_dtypes.pth"), "rb").read())
    rewrite_with_zipfile(out("deflate.pth"), pre, recs, zipfile.ZIP_DEFLATED)
    add_refuse("deflate.pth", "zip_p2_dtypes.pth re-zipped by Python zipfile with ZIP_DEFLATED "
               "(method 8); torch itself loads it; refuse with 're-save with torch.save' "
               "unless zlib is supported (then it equals zip_p2_dtypes)", "deflate",
               f"{pre}/data.pkl compression method 8")

    # 11. tensor kinds outside the supported set.
    torch.save({"state_dict": {"neg": torch._neg_view(torch.tensor([1.0, -2.0, 3.0]))}},
               out("tensor_metadata.pth"))
    off, stream = find_op_offset(out("tensor_metadata.pth"), lambda n, a: n == "BINUNICODE" and a == "neg")
    add_refuse("tensor_metadata.pth", "zip; a neg-bit view: _rebuild_tensor_v2's 7th argument is "
               "{'neg': True} (offset = the 'neg' key)", "tensor_metadata", "{'neg': True}",
               off, stream)
    torch.save({"state_dict": {"u16": torch.tensor([1, 2, 65535], dtype=torch.int32).to(torch.uint16)}},
               out("untyped_storage.pth"))
    off, stream = find_op_offset(out("untyped_storage.pth"), lambda n, a: n == "GLOBAL" and a == "torch._utils _rebuild_tensor_v3")
    add_refuse("untyped_storage.pth", "zip; a uint16 tensor: torch._utils._rebuild_tensor_v3 with "
               "torch.storage.UntypedStorage and dtype torch.uint16", "untyped_storage",
               "torch._utils._rebuild_tensor_v3 / torch.storage.UntypedStorage", off, stream)
    torch.save({"state_dict": {"c": torch.tensor([1 + 2j, -3.5 - 0.5j], dtype=torch.complex64)}},
               out("complex_storage.pth"))
    off, stream = find_op_offset(out("complex_storage.pth"), lambda n, a: n == "GLOBAL" and a == "torch ComplexFloatStorage")
    add_refuse("complex_storage.pth", "zip; a complex64 tensor (torch.ComplexFloatStorage)",
               "complex_storage", "torch.ComplexFloatStorage", off, stream)


# --------------------------------------------------------------------------------------
# Checks, manifest, README
# --------------------------------------------------------------------------------------

def _flat(o):
    scalar = (str, int, float, bool, type(None))
    if isinstance(o, scalar):
        return True
    if isinstance(o, list):
        return all(isinstance(x, scalar) for x in o)
    if isinstance(o, dict):
        return all(isinstance(v, scalar) or (isinstance(v, list) and _flat(v))
                   for v in o.values())
    return False


def json_text(o, ind=0):
    """JSON with one line per tensor entry / refuse entry, indented elsewhere."""
    if _flat(o):
        return json.dumps(o)
    pad = " " * (ind + 1)
    if isinstance(o, dict):
        body = ",\n".join(f"{pad}{json.dumps(k)}: {json_text(v, ind + 1)}" for k, v in o.items())
        return "{\n" + body + "\n" + " " * ind + "}"
    body = ",\n".join(pad + json_text(v, ind + 1) for v in o)
    return "[\n" + body + "\n" + " " * ind + "]"


def verify_load_cases():
    """torch.load every load fixture and compare with the manifest, byte for byte."""
    for e in LOAD:
        top = torch.load(out(e["file"]), weights_only=False, map_location="cpu")
        sd = top[e["state_dict_key"]] if e["state_dict_key"] is not None else top
        if e["top_keys"] is not None:
            assert list(top.keys()) == e["top_keys"], e["file"]
        assert [k for k, v in sd.items() if isinstance(v, torch.Tensor)] == list(e["tensors"])
        assert [k for k, v in sd.items() if not isinstance(v, torch.Tensor)] == e["non_tensor_keys"]
        st = st_load_file(out(e["expected_safetensors"])) if e["expected_safetensors"] else None
        pre = e.get("safetensors_key_prefix", "")
        for k, te in e["tensors"].items():
            t = sd[k]
            assert DTYPE_NAME[t.dtype] == te["dtype"] and list(t.shape) == te["shape"], (e["file"], k)
            if st is None:
                assert le_bytes(t).hex() == te["hex"], (e["file"], k)
            else:
                ref = st[k[len(pre):]]
                assert ref.dtype == t.dtype and ref.shape == t.shape, (e["file"], k)
                assert le_bytes(ref) == le_bytes(t), (e["file"], k)
    # the cuda:0 file is refused by torch without map_location on a CPU-only machine
    if not torch.cuda.is_available():
        try:
            torch.load(out("zip_cuda0.pth"), weights_only=False)
            raise AssertionError("torch loaded zip_cuda0.pth without map_location")
        except RuntimeError:
            pass


def weights_only_status():
    """Which load fixtures torch's own weights_only=True loader accepts (for the README)."""
    res = {}
    for e in LOAD:
        try:
            torch.load(out(e["file"]), weights_only=True, map_location="cpu")
            res[e["file"]] = "ok"
        except Exception as ex:  # noqa: BLE001 - record torch's refusal
            msg = str(ex)
            g = re.search(r"Unsupported global: GLOBAL (\S+)", msg)
            o = re.search(r"Unsupported operand (\d+)", msg)
            res[e["file"]] = ("refused: global " + g.group(1) if g else
                              f"refused: opcode 0x{int(o.group(1)):02x}" if o else
                              "refused: " + type(ex).__name__)
    return res


README_HEAD = """# `.pth` fixtures for the PyTorch checkpoint reader

Made by `make_pth_fixtures.py` (in this folder) with real PyTorch, following
`pytorch-checkpoints.md` section 10. `cases.json` is the manifest the Swift tests read:
`load` lists files a reader must load, with every state-dict tensor's dtype, shape and
expected bytes; `refuse` lists files it must refuse, with the reason (`kind`).

* **Versions:** torch {torch}, numpy {numpy}, safetensors {safetensors}, Python {python}
  (CPU only).
* **Re-run:** `python3 make_pth_fixtures.py` in a venv with those packages
  (`pip install torch=={torch_short} numpy safetensors`). It overwrites the files here,
  then `torch.load`s every load fixture and checks it against `cases.json` bit for bit.
  Seeds are fixed; torch's zip files are deterministic; legacy files get their storage
  keys (memory addresses) renamed to fixed 15-digit keys (in order of first use, records
  re-ordered to match), and the script re-runs itself with `PYTHONHASHSEED=0` (for
  `torch.jit.script`), so re-runs with the same versions give the same bytes.
* **Never `torch.load`/unpickle the refuse files:** `evil_*` and `pid_class_system.pth`
  run `touch /tmp/swiftdet_pwned_<case>` when unpickled.

## `cases.json`

* `load[]`: `file`, `case`, `format` (`zip`/`legacy`), `zip_prefix` (taken from the first
  zip entry), `state_dict_key` (`"state_dict"` or null = the top object is the state
  dict), `top_keys`, `tensors` (state-dict order; `hex` = contiguous row-major
  little-endian bytes), `non_tensor_keys`, `expected_safetensors`. When
  `expected_safetensors` is set, `tensors` still lists every key with dtype and shape but
  has no `hex`: compare with that safetensors file instead. `tiny_demo_module.pth` has
  the extra field `safetensors_key_prefix: "module."` (safetensors key = key without
  it). `resnet50_tiny_nonbt.pth` uses `resnet50_tiny.safetensors`, which also holds the
  53 `num_batches_tracked` keys the file lacks.
* `refuse[]`: `file`, `case`, `kind`, `detail` (for `blocked_global`/`unknown_global`
  exactly `module.name` as pickled; for `opcode` exactly `0xNN`), and, where known,
  `offset` + `stream`: the byte offset of the offending opcode within `stream`
  (`<prefix>/data.pkl` for zip files, `file` for legacy files).

## Files
"""


def write_readme(versions, wo):
    import safetensors
    lines = [README_HEAD.format(torch=versions["torch"], numpy=versions["numpy"],
                                safetensors=safetensors.__version__, python=versions["python"],
                                torch_short=versions["torch"].split("+")[0])]
    lines.append("Must load. In brackets: what torch's own `torch.load(weights_only=True)` "
                 "does with the file (every file loads with `weights_only=False`; "
                 "`zip_cuda0.pth` needs `map_location='cpu'` without CUDA):\n")
    lines.append("| file | bytes | format / prefix | what |\n|---|---|---|---|")
    for e in LOAD:
        fmt = e["format"] + (f" `{e['zip_prefix']}/`" if e["zip_prefix"] else "")
        lines.append(f"| `{e['file']}` | {os.path.getsize(out(e['file']))} | {fmt} | "
                     f"{e['case']} [{wo[e['file']]}] |")
    lines.append("\nExpected values: `tiny_demo.safetensors` "
                 f"({os.path.getsize(out('tiny_demo.safetensors'))} bytes), "
                 f"`resnet50_tiny.safetensors` ({os.path.getsize(out('resnet50_tiny.safetensors'))} bytes).\n")
    lines.append("Must refuse:\n")
    lines.append("| file | bytes | kind | what |\n|---|---|---|---|")
    for e in REFUSE:
        where = f" Offending opcode at byte {e['offset']} of `{e['stream']}`." if e.get("offset") is not None else ""
        lines.append(f"| `{e['file']}` | {os.path.getsize(out(e['file']))} | `{e['kind']}` | "
                     f"{e['case']}.{where} |")
    lines.append("\n`check_written_pth.py` (not a fixture maker): checks that a `.pth` written by SwiftDet\n"
                 "(`convert-checkpoint`, `save_format='pth'`) is read by `torch.load(weights_only=True)` with the\n"
                 "same tensors as a safetensors file. Run by hand where torch is installed; the Swift tests check\n"
                 "the written bytes without torch.\n")
    with open(out("README.md"), "w") as f:
        f.write("\n".join(lines))


def main():
    for p in glob.glob(PWNED_GLOB):
        raise SystemExit(f"{p} exists before the run; remove it first")
    build_load_cases()
    build_refuse_cases()
    versions = collections.OrderedDict([("torch", torch.__version__), ("numpy", np.__version__),
                                        ("python", platform.python_version())])
    manifest = collections.OrderedDict([("versions", versions), ("load", LOAD), ("refuse", REFUSE)])
    with open(out("cases.json"), "w") as f:
        f.write(json_text(manifest) + "\n")
    verify_load_cases()
    wo = weights_only_status()
    write_readme(versions, wo)
    assert json.load(open(out("cases.json"))) == json.loads(json.dumps(manifest))
    leftovers = glob.glob(PWNED_GLOB)
    assert not leftovers, leftovers
    files = [e["file"] for e in LOAD] + [e["file"] for e in REFUSE]
    files += ["tiny_demo.safetensors", "resnet50_tiny.safetensors", "cases.json", "README.md"]
    assert len(set(files)) == len(files)
    total = 0
    for f in files:
        os.chmod(out(f), 0o644)
        n = os.path.getsize(out(f))
        total += n
        assert n < 2_000_000, (f, n)
    assert total < 8_000_000, total
    print(f"{len(LOAD)} load cases, {len(REFUSE)} refuse cases, {len(files)} files, "
          f"{total} bytes; torch.load checks passed; no /tmp/swiftdet_pwned_* file")


if __name__ == "__main__":
    # torch.jit.script orders a module's constants by iterating a set of strings: fix the
    # string hash seed so torchscript.pth comes out the same on every run.
    if os.environ.get("PYTHONHASHSEED") != "0":
        os.execve(sys.executable, [sys.executable] + sys.argv,
                  dict(os.environ, PYTHONHASHSEED="0"))
    main()
