"""Makes nf_variants.safetensors and agc_sgd_step.safetensors with timm 1.0.31 and torch 2.15 CPU.

Run from this folder: python make_nf_fixtures.py (needs torch, timm, safetensors; reads
tiny_nf_resnet50.safetensors, the shared fixture copied here).

nf_variants: four small timm NormFreeNets with the options the shared fixtures leave at their
defaults (deep, deep-pool, deep-tiered and deep-quad stems, SiLU, gamma in the activation, an
extra 3x3 conv, a 3x3 stem whose stride reaches stage 0's average-pool shortcut on odd sizes,
width factor, ch_div 4 with a group size not a multiple of it, alpha, eps), gains,
biases and skipinit gains perturbed so that every parameter matters. Keys per case `<case>.`:
input, out.0..3 (stage outputs), dout.0..3, grad.input, param.<key>, grad.<key> for
loss = sum_i sum(out_i * dout_i); the metadata holds each case's NfCfg fields as JSON.

agc_sgd_step: tiny_nf_resnet50's weights, input and output gradients; two steps of
torch.optim.SGD(lr=0.05, momentum=0.9, weight_decay=1e-4) after timm's
adaptive_clip_grad(parameters, 0.01, eps=1e-3) on every parameter (the backbone has no
classifier to exclude). Keys: step1.<key>, step2.<key> (the weights after each step), and
clipped_units (how many output units AGC clipped in step 1).
"""
import dataclasses
import json

import timm
import torch
from safetensors.torch import load_file, save_file
from timm.models.nfnet import NfCfg, NormFreeNet
from timm.utils.agc import adaptive_clip_grad, unitwise_norm

torch.manual_seed(0)

VARIANTS = {
    "deep_quad_silu": dict(
        depths=(1, 2, 1, 1), channels=(32, 48, 64, 96), stem_type="deep_quad", stem_chs=32,
        group_size=8, bottle_ratio=0.5, alpha=0.3, act_layer="silu", gamma_in_act=True,
        extra_conv=True, skipinit=True, std_conv_eps=1e-4),
    "stem3x3_width": dict(
        depths=(2, 1, 2, 1), channels=(32, 64, 96, 128), stem_type="3x3", stem_chs=24,
        width_factor=0.75, bottle_ratio=0.25, alpha=0.2, act_layer="relu"),
    # A group size that is not a multiple of ch_div (the width is kept, not rounded to groups).
    "deep_pool_groups": dict(
        depths=(1, 1, 2, 1), channels=(24, 48, 72, 96), stem_type="deep_pool", stem_chs=16, ch_div=4,
        group_size=6, bottle_ratio=0.5, alpha=0.2, act_layer="relu"),
    "deep_tiered_silu": dict(
        depths=(1, 2, 1, 1), channels=(32, 48, 64, 80), stem_type="deep_tiered", stem_chs=32,
        bottle_ratio=0.25, alpha=0.25, act_layer="silu"),
}


def stage_outputs(model, x):
    return model.forward_intermediates(x, indices=[1, 2, 3, 4], intermediates_only=True)


def perturb(model, gen):
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith(".gain") or name.endswith("skipinit_gain"):
                p.copy_(1 + 0.3 * torch.randn(p.shape, generator=gen))
            elif name.endswith(".bias"):
                p.copy_(0.1 * torch.randn(p.shape, generator=gen))


def variants():
    tensors, meta = {}, {}
    gen = torch.Generator().manual_seed(7)
    for case, kw in VARIANTS.items():
        cfg = NfCfg(**kw)
        model = NormFreeNet(cfg, num_classes=0).train()
        perturb(model, gen)
        x = torch.randn(2, 3, 50, 70, generator=gen, requires_grad=True)
        outs = stage_outputs(model, x)
        douts = [torch.randn(o.shape, generator=gen) for o in outs]
        loss = sum((o * d).sum() for o, d in zip(outs, douts))
        loss.backward()
        for i, (o, d) in enumerate(zip(outs, douts)):
            tensors[f"{case}.out.{i}"] = o.detach().contiguous()
            tensors[f"{case}.dout.{i}"] = d.contiguous()
        tensors[f"{case}.input"] = x.detach().contiguous()
        tensors[f"{case}.grad.input"] = x.grad.contiguous()
        keys = []
        for name, p in model.named_parameters():
            tensors[f"{case}.param.{name}"] = p.detach().contiguous()
            tensors[f"{case}.grad.{name}"] = p.grad.contiguous()
            keys.append(name)
        meta[case] = json.dumps(dict(cfg=dataclasses.asdict(cfg), state_dict_keys=list(model.state_dict().keys())))
    meta["timm"] = timm.__version__
    meta["torch"] = torch.__version__
    save_file(tensors, "nf_variants.safetensors", metadata=meta)


def sgd_step():
    f = load_file("tiny_nf_resnet50.safetensors")
    cfg = NfCfg(depths=(3, 4, 6, 3), channels=(32, 64, 128, 256), stem_type="7x7_pool", stem_chs=16,
                bottle_ratio=0.25, act_layer="relu")
    model = NormFreeNet(cfg, num_classes=0).train()
    model.load_state_dict({k[len("param."):]: v for k, v in f.items() if k.startswith("param.")}, strict=True)
    params = [p for _, p in model.named_parameters()]
    opt = torch.optim.SGD(params, lr=0.05, momentum=0.9, weight_decay=1e-4)
    out = {}
    clipped = 0
    for step in (1, 2):
        opt.zero_grad()
        outs = stage_outputs(model, f["input"])
        loss = sum((o * f[f"dout.{i}"]).sum() for i, o in enumerate(outs))
        loss.backward()
        if step == 1:
            for p in params:
                ratio = unitwise_norm(p.grad) / unitwise_norm(p.detach()).clamp_(min=1e-3)
                clipped += int((ratio > 0.01).sum())
        adaptive_clip_grad(params, 0.01, eps=1e-3)
        opt.step()
        for name, p in model.named_parameters():
            out[f"step{step}.{name}"] = p.detach().clone().contiguous()
    out["clipped_units"] = torch.tensor([float(clipped)])
    save_file(out, "agc_sgd_step.safetensors", metadata=dict(timm=timm.__version__, torch=torch.__version__))


if __name__ == "__main__":
    variants()
    sgd_step()
