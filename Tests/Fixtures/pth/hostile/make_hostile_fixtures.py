#!/usr/bin/env python3
"""Writes the hostile checkpoints of HostileCheckpointTests (standard library only):

  cd Tests/Fixtures/pth/hostile && python3 make_hostile_fixtures.py

Each is a few hundred bytes that a fuzzing round turned into a trap, a stack overflow or a
multi-gigabyte allocation in the readers; each must now be a thrown error.
"""
import json
import struct
import zipfile


def safetensors(name, header, payload):
    text = json.dumps(header).encode()
    with open(name, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + payload)


# A dimension below 0 (the byte count then matched an inverted data_offsets range).
safetensors("st_negative.safetensors", {"w": {"dtype": "F32", "shape": [-1], "data_offsets": [8, 4]}}, bytes(8))
# A shape whose byte count overflows 64 bits.
safetensors("st_overflow.safetensors", {"w": {"dtype": "F32", "shape": [2**62, 8], "data_offsets": [0, 4]}}, bytes(4))
# An empty tensor with a dimension of 2^62 (its strides overflowed when written as .pth).
safetensors("st_hugedim.safetensors", {"w": {"dtype": "F32", "shape": [0, 2**62, 8], "data_offsets": [0, 0]}}, b"")


def checkpoint(name, pickle_bytes, storages=(), method=zipfile.ZIP_STORED):
    entries = [("archive/data.pkl", pickle_bytes)] + [("archive/data/" + k, d) for k, d in storages]
    with zipfile.ZipFile(name, "w", method) as z:
        for entry, data in entries + [("archive/version", b"3\n")]:
            # a fixed date, so that the files are the same on every run
            z.writestr(zipfile.ZipInfo(entry, date_time=(1980, 1, 1, 0, 0, 0)), data, compress_type=method)


def text(s):  # SHORT_BINUNICODE
    b = s.encode()
    return b"\x8c" + bytes([len(b)]) + b


def int64(v):  # LONG1 of 8 bytes
    return b"\x8a\x08" + struct.pack("<q", v)


def glob(module, name):  # GLOBAL
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


# A list filled after it was placed in another one: list 0 takes list 1, then list 1 (fetched
# from the memo) takes a new list. Repeated 10^5 times this nested lists 10^5 deep behind the
# depth count, and freeing them overflowed the stack.
checkpoint("refill.pth", b"\x80\x02]q\x00]q\x01ah\x01]a.")

# A tensor of 2^23 x 2^24 elements with strides (0, 0) over a storage of one float: the
# storage bounds hold, and the copy asked for 512 TiB.
storage_id = b"(" + text("storage") + glob("torch", "FloatStorage") + text("0") + text("cpu") + int64(1) + b"tQ"
tensor = (glob("torch._utils", "_rebuild_tensor_v2") + b"(" + storage_id + int64(0)
          + b"(" + int64(2**23) + int64(2**24) + b"t(" + int64(0) + int64(0) + b"t\x89"
          + glob("collections", "OrderedDict") + b")RtR")
state = b"\x80\x02}(" + text("state_dict") + b"}(" + text("backbone.conv1.weight") + tensor + b"uu."
checkpoint("stride0.pth", state, [("0", bytes(4))])

# Three tensors of 2^27 elements, each over a one-float storage: each within the bound of a
# tensor larger than its storage (2^28 elements), together above it.
def expanded(key, storage):
    pid = b"(" + text("storage") + glob("torch", "FloatStorage") + text(storage) + text("cpu") + int64(1) + b"tQ"
    return (text(key) + glob("torch._utils", "_rebuild_tensor_v2") + b"(" + pid + int64(0)
            + b"(" + int64(2**13) + int64(2**14) + b"t(" + int64(0) + int64(0) + b"t\x89"
            + glob("collections", "OrderedDict") + b")RtR")
many = b"\x80\x02}(" + b"".join(expanded(f"w{k}", str(k)) for k in range(3)) + b"u."
checkpoint("stride0_many.pth", many, [(str(k), bytes(4)) for k in range(3)])

# A deflated pickle whose central directory declares 0xFFFFFFF0 bytes uncompressed (the
# reader allocated and zeroed 4 GiB before inflating 200 bytes).
checkpoint("zipsize.pth", state, [("0", bytes(4))], zipfile.ZIP_DEFLATED)
data = bytearray(open("zipsize.pth", "rb").read())
entry = data.find(b"PK\x01\x02")
data[entry + 24:entry + 28] = struct.pack("<I", 0xFFFFFFF0)
open("zipsize.pth", "wb").write(bytes(data))
