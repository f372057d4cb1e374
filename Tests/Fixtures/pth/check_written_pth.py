#!/usr/bin/env python3
"""Check that a .pth written by SwiftDet (convert-checkpoint, save_format='pth') is what
PyTorch reads: torch.load(path, weights_only=True) must return {'meta', 'state_dict'} whose
tensors equal, key by key, dtype and bytes, those of a safetensors file.

    convert-checkpoint tiny_demo.safetensors /tmp/tiny_demo.pth
    python3 check_written_pth.py /tmp/tiny_demo.pth tiny_demo.safetensors

Needs torch and safetensors; the Swift tests check the bytes of the layout without them.
"""
import sys

import torch
from safetensors.torch import load_file


def main(pth, reference):
    checkpoint = torch.load(pth, weights_only=True, map_location="cpu")
    if sorted(checkpoint) != ["meta", "state_dict"]:
        sys.exit(f"{pth}: top-level keys {sorted(checkpoint)}, expected meta and state_dict")
    state, expected = checkpoint["state_dict"], load_file(reference)
    if set(state) != set(expected):
        sys.exit(f"{pth}: keys differ from {reference}: {sorted(set(state) ^ set(expected))[:5]}")
    bad = [k for k in expected if state[k].dtype != expected[k].dtype or not torch.equal(state[k], expected[k])]
    if bad:
        sys.exit(f"{pth}: {len(bad)} tensors differ, e.g. {bad[:3]}")
    print(f"{pth}: torch {torch.__version__} reads it with weights_only=True; {len(state)} tensors equal {reference}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
