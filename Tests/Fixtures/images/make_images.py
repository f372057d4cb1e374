#!/usr/bin/env python3
"""Make the image-decoding fixtures for SwiftDet's image loader (PNG and JPEG).

What it makes (all in the directory that holds this script):

* Small PNG inputs (odd, non-square sizes such as 13x9 and 17x11, gradients plus a few
  distinct coloured pixels, so any flip, rotation or channel swap shows), written by the
  tiny PNG encoder below (standard zlib, per-row filter types cycling 0..4, so every PNG
  filter is exercised): 8-bit RGB, RGB with a tRNS colour key, RGBA (varied alpha),
  gray, gray+alpha, 1/2/4-bit gray, 16-bit RGB, 16-bit RGBA, 16-bit gray, 8-bit and 4-bit
  paletted (PLTE, with and without tRNS), an Adam7-interlaced RGB (split over several
  IDAT chunks) and an RGB with an `eXIf` chunk (orientation 6).
* JPEG inputs: one 24x16 photo-like image encoded once by Pillow (quality 95, 4:2:0
  chroma subsampling, baseline, JFIF APP0), then copies that differ only by an EXIF APP1
  segment inserted right after APP0: orientation 1..8 (odd values as big-endian 'MM' TIFF
  with the orientation as the only IFD0 entry; even values as little-endian 'II' TIFF with
  three entries: Make (ASCII, stored at an offset), Orientation, XResolution (RATIONAL, at
  an offset)), orientation 0 and 9 (invalid), no EXIF at all, and one 4:4:4 encode (no EXIF).
* For each input NAME.png / NAME.jpg: NAME.bgr = the raw bytes of
  `cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)` (what
  `mmcv.imfrombytes(data, flag='color', backend='cv2')` returns): H*W*3 uint8, row-major,
  B,G,R. `jpeg_noexif_raw.bgr` = the JPEG decoded with IMREAD_COLOR |
  IMREAD_IGNORE_ORIENTATION (the same for every JPEG copy: checked).
* `expected.json`: versions, per-file name/size/sha256 of input, decoded height/width,
  source description and sha256 of the .bgr bytes, plus the empirically established
  conversion rules (16-bit -> 8-bit over all 65536 values, gray -> BGR, alpha handling,
  palette, low bit depths) and the orientation -> transform table measured on these files.

Versions used for the committed files: see `expected.json` ("versions") and README.md
(opencv-python-headless 5.1.0.95, numpy 2.4.6, Pillow 13.0.0, Python 3.11.7).

Re-run:
    python3 -m venv /tmp/cvvenv
    /tmp/cvvenv/bin/pip install opencv-python-headless numpy pillow
    /tmp/cvvenv/bin/python make_images.py            # (re)write everything here
    /tmp/cvvenv/bin/python make_images.py --check    # only decode the committed inputs
                                                    # with this cv2 and compare to expected.json
The PNG bytes depend only on this script and zlib (level 9); the JPEG bytes depend on
Pillow's libjpeg. The .bgr files depend only on OpenCV's decoders.
"""

import hashlib
import json
import os
import platform
import struct
import sys
import zlib

import cv2
import numpy as np
import PIL
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
FLAGS = cv2.IMREAD_COLOR
FLAGS_RAW = cv2.IMREAD_COLOR | cv2.IMREAD_IGNORE_ORIENTATION


def sha256(b):
    return hashlib.sha256(b).hexdigest()


def decode(data, flags=FLAGS):
    img = cv2.imdecode(np.frombuffer(data, np.uint8), flags)
    assert img is not None, "cv2.imdecode failed"
    assert img.dtype == np.uint8 and img.ndim == 3 and img.shape[2] == 3, (img.dtype, img.shape)
    return np.ascontiguousarray(img)


# ----------------------------------------------------------------------------- PNG writer

def _chunk(kind, payload):
    c = kind + payload
    return struct.pack(">I", len(payload)) + c + struct.pack(">I", zlib.crc32(c) & 0xFFFFFFFF)


def _paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def _filter_row(ftype, row, prev, bpp):
    out = bytearray(len(row))
    for i, x in enumerate(row):
        a = row[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        if ftype == 0:
            p = 0
        elif ftype == 1:
            p = a
        elif ftype == 2:
            p = b
        elif ftype == 3:
            p = (a + b) // 2
        else:
            p = _paeth(a, b, c)
        out[i] = (x - p) & 0xFF
    return bytes([ftype]) + bytes(out)


def _pack_row(samples, bitdepth):
    """samples: 1-D sequence of ints (all channels of one row, interleaved)."""
    if bitdepth == 8:
        return bytes(int(v) for v in samples)
    if bitdepth == 16:
        return b"".join(struct.pack(">H", int(v)) for v in samples)
    per = 8 // bitdepth
    out = bytearray((len(samples) + per - 1) // per)
    for i, v in enumerate(samples):
        out[i // per] |= int(v) << (8 - bitdepth * (i % per + 1))
    return bytes(out)


def _scanlines(arr, bitdepth, channels, row_offset):
    """Filtered scanlines of an (h, w, c) sample array; filter type = (row_offset + y) % 5."""
    h = arr.shape[0]
    bpp = max(1, channels * bitdepth // 8)
    rows = [_pack_row(arr[y].reshape(-1), bitdepth) for y in range(h)]
    out = b""
    prev = bytes(len(rows[0])) if rows else b""
    for y, row in enumerate(rows):
        out += _filter_row((row_offset + y) % 5, row, prev, bpp)
        prev = row
    return out


ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]

COLOR_TYPES = {0: ("gray", 1), 2: ("RGB", 3), 3: ("palette", 1), 4: ("gray+alpha", 2), 6: ("RGBA", 4)}


def write_png(samples, bitdepth, color_type, palette=None, trns=None, interlace=False,
              idat_chunk=None, exif=None):
    """samples: (h, w, channels) integer array of PNG samples (indices for palette)."""
    samples = np.asarray(samples)
    if samples.ndim == 2:
        samples = samples[:, :, None]
    h, w, ch = samples.shape
    assert ch == COLOR_TYPES[color_type][1]
    assert samples.min() >= 0 and samples.max() < (1 << bitdepth)
    raw = b""
    if not interlace:
        raw = _scanlines(samples, bitdepth, ch, 0)
    else:
        for p, (x0, y0, dx, dy) in enumerate(ADAM7):
            sub = samples[y0::dy, x0::dx]
            if sub.shape[0] and sub.shape[1]:
                raw += _scanlines(sub, bitdepth, ch, p)
    z = zlib.compress(raw, 9)
    out = b"\x89PNG\r\n\x1a\n"
    out += _chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, bitdepth, color_type, 0, 0, 1 if interlace else 0))
    if exif is not None:
        out += _chunk(b"eXIf", exif)
    if palette is not None:
        out += _chunk(b"PLTE", bytes(np.asarray(palette, np.uint8).reshape(-1)))
    if trns is not None:
        out += _chunk(b"tRNS", trns)
    step = idat_chunk or len(z)
    for i in range(0, len(z), step):
        out += _chunk(b"IDAT", z[i:i + step])
    out += _chunk(b"IEND", b"")
    return out


# ----------------------------------------------------------------------------- content

def base_rgb(h, w):
    """Non-symmetric 8-bit RGB content: x/y gradients plus a few distinct marker pixels."""
    y, x = np.mgrid[0:h, 0:w]
    r = (x * 255) // (w - 1)
    g = (y * 255) // (h - 1)
    b = ((x * 7 + y * 13) * 5) % 256
    img = np.stack([r, g, b], -1).astype(np.int64)
    img[0, 0] = (255, 0, 0)          # top-left: pure red
    img[0, w - 1] = (0, 255, 0)      # top-right: pure green
    img[h - 1, 0] = (0, 0, 255)      # bottom-left: pure blue
    img[1, 2] = (255, 255, 0)        # near top-left: yellow
    img[h - 2, w - 3] = (17, 34, 51)
    return img


def base_16(h, w, ch, salt):
    """Pseudo-random-looking but formula-defined 16-bit samples; row 0 holds edge values."""
    y, x, c = np.mgrid[0:h, 0:w, 0:ch]
    v = ((x * 40503 + y * 9973 + c * 30011 + salt * 7919) * 2654435761) >> 7
    v = v & 0xFFFF
    edge = [0, 1, 127, 128, 129, 255, 256, 383, 384, 385, 0x01FF, 0x7F7F, 0x7F80, 0x7F81,
            0x80FF, 0xFEFF, 0xFF00, 0xFF7F, 0xFF80, 0xFFFE, 0xFFFF]
    flat = v.reshape(-1)
    flat[:len(edge)] = edge
    return flat.reshape(h, w, ch).astype(np.int64)


def jpeg_source():
    """24x16 photo-like RGB image: smooth gradients, bright top-left patch."""
    h, w = 16, 24
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    r = 40 + 150 * x / (w - 1) + 20 * np.sin(y / 3.0)
    g = 30 + 120 * y / (h - 1) + 10 * np.cos(x / 4.0)
    b = 200 - 100 * (x + y) / (w + h - 2)
    img = np.stack([r, g, b], -1)
    img[0:5, 0:6] = (250, 245, 230)  # bright corner patch (top-left)
    img[10:13, 17:21] = (20, 200, 40)  # green blob, lower right
    return np.clip(np.round(img), 0, 255).astype(np.uint8)


def exif_app1(orientation, endian):
    """APP1 segment (marker included) holding 'Exif\\0\\0' + a minimal TIFF with IFD0."""
    if endian == "MM":
        e = ">"
        entries = [(0x0112, 3, 1, struct.pack(">HH", orientation, 0))]
    else:
        e = "<"
        entries = [(0x010F, 2, 6, None), (0x0112, 3, 1, struct.pack("<HH", orientation, 0)),
                   (0x011A, 5, 1, None)]
    n = len(entries)
    ifd_off = 8
    data_off = ifd_off + 2 + 12 * n + 4
    extra = b""
    ifd = struct.pack(e + "H", n)
    for tag, typ, count, value in entries:
        if value is None:  # stored at an offset after the IFD
            blob = b"SwDet\x00" if typ == 2 else struct.pack(e + "II", 72, 1)
            value = struct.pack(e + "I", data_off + len(extra))
            extra += blob + (b"\x00" if len(blob) % 2 else b"")
        ifd += struct.pack(e + "HHI", tag, typ, count) + value
    ifd += struct.pack(e + "I", 0)
    tiff = (b"MM\x00\x2a" if endian == "MM" else b"II\x2a\x00") + struct.pack(e + "I", ifd_off)
    payload = b"Exif\x00\x00" + tiff + ifd + extra
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


def insert_after_app0(jpeg, segment):
    assert jpeg[:4] == b"\xff\xd8\xff\xe0", "expected SOI + JFIF APP0"
    app0_len = struct.unpack(">H", jpeg[4:6])[0]
    pos = 4 + app0_len
    return jpeg[:pos] + segment + jpeg[pos:]


def encode_jpeg(rgb, subsampling):
    import io
    buf = io.BytesIO()
    Image.fromarray(rgb, "RGB").save(buf, "JPEG", quality=95, subsampling=subsampling,
                                     optimize=False, progressive=False)
    return buf.getvalue()


# ----------------------------------------------------------------------------- transforms

# The 8 EXIF orientations as the transform that turns the stored (raw) image into the
# displayed one, in numpy terms on an (H, W, C) array.
TRANSFORMS = {
    "identity": lambda a: a,
    "flip_horizontal": lambda a: a[:, ::-1],
    "rotate_180": lambda a: a[::-1, ::-1],
    "flip_vertical": lambda a: a[::-1, :],
    "transpose": lambda a: a.transpose(1, 0, 2),
    "rotate_90_cw": lambda a: np.rot90(a, -1),
    "transverse": lambda a: a[::-1, ::-1].transpose(1, 0, 2),
    "rotate_90_ccw": lambda a: np.rot90(a, 1),
}
EXIF_SPEC = {1: "identity", 2: "flip_horizontal", 3: "rotate_180", 4: "flip_vertical",
             5: "transpose", 6: "rotate_90_cw", 7: "transverse", 8: "rotate_90_ccw"}
FORMULA = {  # out[y, x] = raw[...] with raw of size H x W, out of size H' x W'
    "identity": "out[y][x] = raw[y][x]",
    "flip_horizontal": "out[y][x] = raw[y][W-1-x]",
    "rotate_180": "out[y][x] = raw[H-1-y][W-1-x]",
    "flip_vertical": "out[y][x] = raw[H-1-y][x]",
    "transpose": "out[y][x] = raw[x][y]  (out is W x H)",
    "rotate_90_cw": "out[y][x] = raw[H-1-x][y]  (out is W x H)",
    "transverse": "out[y][x] = raw[H-1-x][W-1-y]  (out is W x H)",
    "rotate_90_ccw": "out[y][x] = raw[x][W-1-y]  (out is W x H)",
}


def which_transform(raw, out):
    hits = [k for k, f in TRANSFORMS.items()
            if f(raw).shape == out.shape and np.array_equal(f(raw), out)]
    assert len(hits) == 1, hits
    return hits[0]


# ----------------------------------------------------------------------------- cases

def png_cases():
    cases = []

    def add(name, desc, data, check):
        cases.append((name + ".png", desc, data, check))

    # 8-bit RGB, 17x11
    rgb = base_rgb(11, 17)
    add("png_rgb8", {"format": "PNG", "bit_depth": 8, "color_type": "RGB (2)", "size": "17x11"},
        write_png(rgb, 8, 2), lambda d: np.array_equal(d, rgb[:, :, ::-1]))

    # 8-bit RGB with a tRNS colour key (one colour that occurs in the image)
    rgbk = base_rgb(9, 13)
    key = rgbk[4, 6]
    add("png_rgb8_trns", {"format": "PNG", "bit_depth": 8, "color_type": "RGB (2)", "size": "13x9",
                          "note": "tRNS colour key %s (present at row 4, col 6)" % list(map(int, key))},
        write_png(rgbk, 8, 2, trns=struct.pack(">HHH", *map(int, key))),
        lambda d: np.array_equal(d, rgbk[:, :, ::-1]))

    # 8-bit RGBA, varied alpha (0, 1, 128, 254, 255 and a gradient)
    rgba_rgb = base_rgb(9, 13)
    y, x = np.mgrid[0:9, 0:13]
    alpha = (x * 20 + y * 3) % 256
    alpha[0, 0], alpha[0, 1], alpha[0, 2], alpha[0, 3], alpha[0, 4] = 0, 1, 128, 254, 255
    alpha[8, :] = 0  # a fully transparent last row with non-zero colour
    rgba = np.concatenate([rgba_rgb, alpha[:, :, None]], -1)
    add("png_rgba8", {"format": "PNG", "bit_depth": 8, "color_type": "RGBA (6)", "size": "13x9",
                      "note": "alpha varies 0..255, last row fully transparent"},
        write_png(rgba, 8, 6), lambda d: np.array_equal(d, rgba_rgb[:, :, ::-1]))

    # 8-bit gray, 17x11
    gray = (base_rgb(11, 17) @ np.array([3, 5, 1]) // 9) % 256
    gray[0, 0], gray[0, 1], gray[1, 0] = 0, 255, 7
    add("png_gray8", {"format": "PNG", "bit_depth": 8, "color_type": "gray (0)", "size": "17x11"},
        write_png(gray, 8, 0), lambda d: np.array_equal(d, np.repeat(gray[:, :, None], 3, 2)))

    # 8-bit gray + alpha
    ga_g = (base_rgb(9, 13) @ np.array([1, 2, 1]) // 4) % 256
    ga_a = (np.mgrid[0:9, 0:13][1] * 21) % 256
    ga = np.stack([ga_g, ga_a], -1)
    add("png_gray_alpha8", {"format": "PNG", "bit_depth": 8, "color_type": "gray+alpha (4)", "size": "13x9"},
        write_png(ga, 8, 4), lambda d: np.array_equal(d, np.repeat(ga_g[:, :, None], 3, 2)))

    # low bit depth gray: 1, 2, 4 bits
    for bits, (h, w) in ((1, (11, 17)), (2, (9, 13)), (4, (9, 13))):
        yy, xx = np.mgrid[0:h, 0:w]
        g = ((xx * 3 + yy * yy + (xx * yy) // 3) % (1 << bits))
        g[0, 0], g[0, 1] = (1 << bits) - 1, 0
        scale = 255 // ((1 << bits) - 1)
        add("png_gray%d" % bits, {"format": "PNG", "bit_depth": bits, "color_type": "gray (0)",
                                  "size": "%dx%d" % (w, h), "note": "rows end mid-byte (padding bits)"},
            write_png(g, bits, 0),
            (lambda g, scale: lambda d: np.array_equal(d, np.repeat((g * scale)[:, :, None], 3, 2)))(g, scale))

    # 16-bit RGB, RGBA, gray (the 8-bit reference is checked later against the measured rule)
    rgb16 = base_16(9, 13, 3, 1)
    add("png_rgb16", {"format": "PNG", "bit_depth": 16, "color_type": "RGB (2)", "size": "13x9",
                      "note": "first row holds edge values (0x00FF, 0x0180, 0x7F80, 0xFF7F, ...)"},
        write_png(rgb16, 16, 2), ("16", rgb16))
    rgba16 = base_16(9, 13, 4, 2)
    rgba16[0, 0, 3] = 0
    add("png_rgba16", {"format": "PNG", "bit_depth": 16, "color_type": "RGBA (6)", "size": "13x9"},
        write_png(rgba16, 16, 6), ("16", rgba16[:, :, :3]))
    gray16 = base_16(11, 17, 1, 3)
    add("png_gray16", {"format": "PNG", "bit_depth": 16, "color_type": "gray (0)", "size": "17x11",
                       "note": "first row holds edge values"},
        write_png(gray16, 16, 0), ("16", np.repeat(gray16, 3, 2)))

    # 8-bit palette, 20 entries, with and without tRNS (tRNS covers the first 6 entries)
    pal = np.array([[(i * 53) % 256, (i * 97 + 40) % 256, (255 - i * 11) % 256] for i in range(20)])
    yy, xx = np.mgrid[0:9, 0:13]
    idx = (xx * 2 + yy * 5 + (xx * yy) % 3) % 20
    idx[0, 0] = 19
    add("png_palette8", {"format": "PNG", "bit_depth": 8, "color_type": "palette (3)", "size": "13x9",
                         "note": "PLTE with 20 entries, no tRNS"},
        write_png(idx, 8, 3, palette=pal), lambda d: np.array_equal(d, pal[idx][:, :, ::-1]))
    trns = bytes([0, 1, 64, 128, 200, 254])
    add("png_palette8_trns", {"format": "PNG", "bit_depth": 8, "color_type": "palette (3)", "size": "13x9",
                              "note": "PLTE with 20 entries, tRNS alphas %s for entries 0..5" % list(trns)},
        write_png(idx, 8, 3, palette=pal, trns=trns), lambda d: np.array_equal(d, pal[idx][:, :, ::-1]))
    # 4-bit palette (11 entries), odd width
    pal4 = pal[:11][::-1]
    idx4 = (xx + 2 * yy) % 11
    add("png_palette4", {"format": "PNG", "bit_depth": 4, "color_type": "palette (3)", "size": "13x9",
                         "note": "PLTE with 11 entries"},
        write_png(idx4, 4, 3, palette=pal4), lambda d: np.array_equal(d, pal4[idx4][:, :, ::-1]))

    # Adam7 interlaced 8-bit RGB, IDAT split into 64-byte chunks
    rgbi = base_rgb(11, 17)[::-1].copy()  # different content from png_rgb8
    rgbi[0, 0] = (10, 20, 30)
    add("png_rgb8_interlaced", {"format": "PNG", "bit_depth": 8, "color_type": "RGB (2)", "size": "17x11",
                                "interlace": "Adam7", "note": "IDAT split into 64-byte chunks"},
        write_png(rgbi, 8, 2, interlace=True, idat_chunk=64), lambda d: np.array_equal(d, rgbi[:, :, ::-1]))

    # RGB with an eXIf chunk saying orientation 6 (does OpenCV rotate PNGs? recorded, not assumed)
    rgbx = base_rgb(9, 13)
    add("png_rgb8_exif6", {"format": "PNG", "bit_depth": 8, "color_type": "RGB (2)", "size": "13x9",
                           "note": "eXIf chunk (big-endian TIFF) with Orientation = 6, before PLTE/IDAT"},
        write_png(rgbx, 8, 2, exif=exif_app1(6, "MM")[10:]), ("exif", rgbx[:, :, ::-1]))
    return cases


def jpeg_cases():
    src = jpeg_source()
    base = encode_jpeg(src, 2)          # 4:2:0
    cases = [("jpeg_noexif.jpg", {"format": "JPEG", "size": "24x16", "quality": 95,
                                  "subsampling": "4:2:0", "exif": None, "orientation": None}, base)]
    for o in range(0, 10):
        endian = "MM" if o % 2 else "II"
        desc = {"format": "JPEG", "size": "24x16", "quality": 95, "subsampling": "4:2:0",
                "exif": "APP1 after APP0, TIFF %s, IFD0 entries %s" % (
                    endian, "[Orientation]" if endian == "MM" else "[Make, Orientation, XResolution]"),
                "orientation": o}
        if o in (0, 9):
            desc["note"] = "invalid orientation value"
        cases.append(("jpeg_exif_o%d.jpg" % o, desc, insert_after_app0(base, exif_app1(o, endian))))
    cases.append(("jpeg_444_noexif.jpg", {"format": "JPEG", "size": "24x16", "quality": 95,
                                          "subsampling": "4:4:4", "exif": None, "orientation": None,
                                          "note": "same source pixels, separate encode"},
                  encode_jpeg(src, 0)))
    return cases, src


# ----------------------------------------------------------------------------- rules

def measure_16bit_rule():
    """Decode all 65536 16-bit gray values (256x256 PNG, in memory) and find the rule."""
    v = np.arange(65536, dtype=np.int64).reshape(256, 256)
    d = decode(write_png(v, 16, 0))[:, :, 0].astype(np.int64)
    candidates = {
        "v >> 8 (keep the high byte)": v >> 8,
        "(v + 128) // 257 (rounded division by 257)": (v + 128) // 257,
        "v // 257 (truncated division by 257)": v // 257,
        "(v * 255 + 32767) // 65535": (v * 255 + 32767) // 65535,
    }
    funcs = {
        "v >> 8 (keep the high byte)": lambda a: a >> 8,
        "(v + 128) // 257 (rounded division by 257)": lambda a: (a + 128) // 257,
        "v // 257 (truncated division by 257)": lambda a: a // 257,
        "(v * 255 + 32767) // 65535": lambda a: (a * 255 + 32767) // 65535,
    }
    hits = [k for k, c in candidates.items() if np.array_equal(c, d)]
    assert len(hits) == 1, hits
    diff_vs_round = int(np.count_nonzero((v >> 8) != (v + 128) // 257))
    return hits[0], funcs[hits[0]], diff_vs_round


# ----------------------------------------------------------------------------- main

def versions():
    info = cv2.getBuildInformation()

    def line(key):
        for l in info.splitlines():
            if l.strip().startswith(key + ":"):
                return l.split(":", 1)[1].strip()
        return None

    import importlib.metadata as md

    def dist(n):
        try:
            return md.version(n)
        except md.PackageNotFoundError:
            return None

    return {"cv2.__version__": cv2.__version__, "opencv-python-headless": dist("opencv-python-headless"),
            "opencv PNG library": line("PNG"), "opencv JPEG library": line("JPEG"),
            "numpy": np.__version__, "Pillow": PIL.__version__,
            "python": platform.python_version()}


def main(check_only):
    rule_name, rule16, n_differ = measure_16bit_rule()
    failed = []
    pngs = png_cases()
    jpgs, _ = jpeg_cases()

    files = []
    results = {}
    exp_path = os.path.join(HERE, "expected.json")
    committed = json.load(open(exp_path)) if check_only else None

    inputs = [(n, d, data, chk) for n, d, data, chk in pngs] + [(n, d, data, None) for n, d, data in jpgs]
    for name, desc, data, chk in inputs:
        path = os.path.join(HERE, name)
        if check_only:
            data = open(path, "rb").read()
        else:
            with open(path, "wb") as f:
                f.write(data)
        out = decode(data)
        results[name] = out
        stem = os.path.splitext(name)[0]
        if not check_only:
            with open(os.path.join(HERE, stem + ".bgr"), "wb") as f:
                f.write(out.tobytes())
        # content checks against what the generator meant to store
        if callable(chk):
            ok = chk(out)
        elif chk is not None and chk[0] == "16":
            ok = np.array_equal(out, rule16(chk[1])[:, :, ::-1])
        else:
            ok = True
        if not ok:
            failed.append(name)
        files.append({"name": name, "bytes": len(data), "sha256": sha256(data), "source": desc,
                      "expected": stem + ".bgr", "height": int(out.shape[0]), "width": int(out.shape[1]),
                      "channels": 3, "bgr_sha256": sha256(out.tobytes())})

    if failed:
        print("decoded content differs from what the generator stored (see rules):", failed)
        if not check_only:
            return 1
    # PNG eXIf: record whether OpenCV applied the orientation
    exif_png = results["png_rgb8_exif6.png"]
    exif_png_raw = decode(dict((n, d) for n, _, d, _ in inputs)["png_rgb8_exif6.png"] if not check_only
                          else open(os.path.join(HERE, "png_rgb8_exif6.png"), "rb").read(), FLAGS_RAW)
    png_exif_transform = which_transform(exif_png_raw, exif_png)

    # JPEG orientation
    jpeg_data = {n: (open(os.path.join(HERE, n), "rb").read() if check_only else d) for n, _, d in jpgs}
    raw = decode(jpeg_data["jpeg_noexif.jpg"], FLAGS_RAW)
    assert np.array_equal(raw, results["jpeg_noexif.jpg"])
    for n in jpeg_data:
        if n.startswith("jpeg_exif_"):
            assert np.array_equal(decode(jpeg_data[n], FLAGS_RAW), raw), n
    outs = [f(raw) for f in TRANSFORMS.values()]
    for i in range(8):
        for j in range(i):
            assert outs[i].shape != outs[j].shape or not np.array_equal(outs[i], outs[j])
    table = {}
    for o in range(10):
        t = which_transform(raw, results["jpeg_exif_o%d.jpg" % o])
        table[str(o)] = {"transform": t, "formula": FORMULA[t],
                         "exif_spec": EXIF_SPEC.get(o, "invalid value"),
                         "matches_spec": t == EXIF_SPEC.get(o, "identity")}
    assert results["jpeg_exif_o6.jpg"].shape == (24, 16, 3)
    assert all(v["matches_spec"] for v in table.values()), table
    if not check_only:
        with open(os.path.join(HERE, "jpeg_noexif_raw.bgr"), "wb") as f:
            f.write(raw.tobytes())

    expected = {
        "generator": "make_images.py (this folder)",
        "decode_call": "cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)  "
                       "== mmcv.imfrombytes(data, flag='color', backend='cv2')",
        "bgr_layout": "H*W*3 uint8, row-major, channel order B,G,R",
        "versions": versions(),
        "rules": {
            "png_16_to_8": rule_name + "; verified on all 65536 values (differs from round(v/257) "
                           "for %d of them)" % n_differ,
            "gray_to_bgr": "B = G = R = gray (after bit-depth expansion)",
            "low_bit_depth_gray": "scaled to 8 bits by replication: 1-bit {0,255}, 2-bit {0,85,170,255}, "
                                  "4-bit v*17",
            "alpha": "dropped (ignored): colour samples are kept as stored, no compositing, for RGBA, "
                     "gray+alpha, palette tRNS and RGB tRNS colour keys",
            "palette": "index -> PLTE entry (R,G,B), written as B,G,R; tRNS ignored",
            "png_exif_orientation": "%s: IMREAD_COLOR on png_rgb8_exif6.png gives %s of the "
                                    "IMREAD_IGNORE_ORIENTATION decode" % (
                                        "applied" if png_exif_transform != "identity" else "not applied",
                                        png_exif_transform),
            "jpeg_invalid_orientation": "orientation 0 and 9: %s, %s" % (table["0"]["transform"],
                                                                        table["9"]["transform"]),
        },
        "jpeg_raw": {"file": "jpeg_noexif_raw.bgr", "height": int(raw.shape[0]), "width": int(raw.shape[1]),
                     "sha256": sha256(raw.tobytes()),
                     "decode_call": "cv2.imdecode(buf, cv2.IMREAD_COLOR | cv2.IMREAD_IGNORE_ORIENTATION)",
                     "note": "identical for jpeg_noexif.jpg and every jpeg_exif_o*.jpg (checked)"},
        "jpeg_orientation": table,
        "files": files,
    }
    if check_only:
        bad = []
        for a, b in zip(committed["files"], files):
            for k in ("name", "sha256", "height", "width", "bgr_sha256"):
                if a[k] != b[k]:
                    bad.append((a["name"], k, a[k], b[k]))
        for k in ("rules", "jpeg_orientation"):
            if committed[k] != expected[k]:
                bad.append((k, committed[k], expected[k]))
        if committed["jpeg_raw"]["sha256"] != expected["jpeg_raw"]["sha256"]:
            bad.append(("jpeg_raw",))
        print("versions:", json.dumps(expected["versions"]))
        if bad:
            for b in bad:
                print("MISMATCH", b)
            return 1
        print("OK: all %d decodes match expected.json" % len(files))
        return 0
    with open(exp_path, "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")
    print("wrote %d inputs, %d .bgr, expected.json" % (len(files), len(files) + 1))
    print(json.dumps(expected["rules"], indent=1))
    for o, v in table.items():
        print(o, v["transform"])
    return 0


if __name__ == "__main__":
    sys.exit(main("--check" in sys.argv[1:]))
