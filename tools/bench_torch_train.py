#!/usr/bin/env python3
"""PyTorch eager baseline for ``bin/clip4stream bench train``: CLIP4Clip seqTransf training steps, random weights.

Usage
-----
    python3 tools/bench_torch_train.py [--threads N] [--batch 4] [--frames 12] [--steps 3] [--head-batch 64]
        [--head-steps 10] [--memory-batch 8] [shape options: --vision-width 768 --vision-layers 12 --patch 32
        --image-size 224 --text-width 512 --text-layers 12 --vocab 49408 --embed-dim 512 --head-layers 4 --words 32]

Builds CLIP4Clip's seqTransf model in plain torch, float32 on the CPU, ``train()`` mode, at the shapes given (the
defaults are ViT-B/32): OpenAI CLIP's ViT (conv1 patches, class token, positions, ln_pre, pre-LN blocks with
``nn.MultiheadAttention`` and a QuickGELU MLP, ln_post and proj on the class token), CLIP's causal text transformer
(CLIP4Clip's ``encode_text``: ln_final and text_projection on every token, the EOT row read at ``argmax(ids)``), and
the seqTransf head (``frame_position_embeddings``, ``transformerClip`` with the key-padding mask repeated per head, the
residual, masked mean pooling of L2-normalised frames). The module tree and parameter names are CLIP4Clip's, so
``main_task_retrieval.py``'s freeze loop (``freeze_layer_num``) and ``prep_optimizer``'s four groups apply as written.

One step is the original ``train_epoch``'s: the loss ``(CrossEn(S) + CrossEn(S^T)) / 2`` of
``S = exp(logit_scale) * cos``, ``loss.backward()``, ``clip_grad_norm_(model.parameters(), 1.0)``, the original
``BertAdam.step()`` (warmup_cosine schedule, per-parameter ``clip_grad_norm_(p, 1.0)``, the moments m and v,
``m / (sqrt(v) + e)`` plus weight decay, no bias correction), ``zero_grad()`` and the clamp of ``logit_scale`` to
ln 100. The transformerClip LayerNorms use eps 1e-12 as ``until_module.LayerNorm`` does, through ``nn.LayerNorm``
(the same values as the original's unfused TF-style form, and the same fused kernel ours calls).

Phases, in this order (the memory run first, so that the peak is its own): with ``--memory-batch B`` (> 0), full
fine-tuning for 2 steps at B pairs with the resident-set high-water mark reset just before (``/proc/self/clear_refs``)
and read after (``VmHWM``); full fine-tuning (``freeze_layer_num = 0``) at ``--batch`` pairs of ``--frames`` frames,
one untimed step then ``--steps`` timed ones; the best of a 1024^3 fp32 matmul and ViT-B/32's MLP products for this torch build's rate; head-only training
(all of CLIP frozen, the head on random cached embeddings) at ``--head-batch``, one untimed then ``--head-steps``
timed steps. The batch is generated once and reused.

Debian's python3-torch multiplies with whatever ``libblas.so.3`` points to: install ``libopenblas0-openmp`` (the
reference BLAS is 10-50x slower); the ``blas`` field says which library was loaded.

Prints exactly one JSON object on stdout:
    {"torch_version": ..., "threads": N, "blas": ..., "matmul_gflops": ...,
     "memory": {"batch": 8, "frames": 12, "steps": 2, "rss_before_gib": ..., "rss_peak_gib": ..., "rss_peak_source": ...},
     "full": {"batch": 4, "frames": 12, "steps": 3, "trainable_parameters": ..., "seconds": ..., "steps_per_second": ...,
              "clips_per_second": ..., "loss_first": ..., "loss_last": ...},
     "head": {... the same fields ...}}
("memory" is absent with --memory-batch 0.)
"""

import argparse
import collections
import json
import math
import os
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils import clip_grad_norm_

GIB = 1024.0 ** 3


class QuickGELU(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(1.702 * x)


class ResidualAttentionBlock(nn.Module):
    """CLIP's pre-LN block; with ``n_head_mask`` the [B, T, T] mask is repeated per head as module_cross does."""

    def __init__(self, width, heads, eps=1e-5, per_sample_mask=False):
        super().__init__()
        self.attn = nn.MultiheadAttention(width, heads)
        self.ln_1 = nn.LayerNorm(width, eps=eps)
        self.mlp = nn.Sequential(collections.OrderedDict([
            ("c_fc", nn.Linear(width, width * 4)),
            ("gelu", QuickGELU()),
            ("c_proj", nn.Linear(width * 4, width)),
        ]))
        self.ln_2 = nn.LayerNorm(width, eps=eps)
        self.heads = heads
        self.per_sample_mask = per_sample_mask

    def attention(self, x, mask):
        if mask is not None and self.per_sample_mask:
            mask = mask.repeat_interleave(self.heads, dim=0)
        return self.attn(x, x, x, need_weights=False, attn_mask=mask)[0]

    def forward(self, x, mask=None):
        x = x + self.attention(self.ln_1(x), mask)
        return x + self.mlp(self.ln_2(x))


class Transformer(nn.Module):
    def __init__(self, width, layers, heads, eps=1e-5, per_sample_mask=False):
        super().__init__()
        self.resblocks = nn.ModuleList(
            [ResidualAttentionBlock(width, heads, eps, per_sample_mask) for _ in range(layers)])

    def forward(self, x, mask=None):  # x: [tokens, batch, width], sequence-first as CLIP runs it
        for block in self.resblocks:
            x = block(x, mask)
        return x


class VisualTransformer(nn.Module):
    def __init__(self, resolution, patch, width, layers, output_dim):
        super().__init__()
        scale = width ** -0.5
        self.conv1 = nn.Conv2d(3, width, kernel_size=patch, stride=patch, bias=False)
        self.class_embedding = nn.Parameter(scale * torch.randn(width))
        self.positional_embedding = nn.Parameter(scale * torch.randn((resolution // patch) ** 2 + 1, width))
        self.ln_pre = nn.LayerNorm(width)
        self.transformer = Transformer(width, layers, width // 64)
        self.ln_post = nn.LayerNorm(width)
        self.proj = nn.Parameter(scale * torch.randn(width, output_dim))

    def forward(self, x):
        x = self.conv1(x)  # [N, width, g, g]
        x = x.reshape(x.shape[0], x.shape[1], -1).permute(0, 2, 1)  # [N, g*g, width]
        cls = self.class_embedding + torch.zeros(x.shape[0], 1, x.shape[-1], dtype=x.dtype)
        x = torch.cat([cls, x], dim=1) + self.positional_embedding
        x = self.ln_pre(x).permute(1, 0, 2)
        x = self.transformer(x).permute(1, 0, 2)
        return self.ln_post(x[:, 0, :]) @ self.proj


class Clip(nn.Module):
    """The parts of OpenAI CLIP that CLIP4Clip trains, under CLIP's parameter names."""

    def __init__(self, a):
        super().__init__()
        self.visual = VisualTransformer(a.image_size, a.patch, a.vision_width, a.vision_layers, a.embed_dim)
        self.transformer = Transformer(a.text_width, a.text_layers, a.text_width // 64)
        self.token_embedding = nn.Embedding(a.vocab, a.text_width)
        self.positional_embedding = nn.Parameter(0.01 * torch.randn(77, a.text_width))
        self.ln_final = nn.LayerNorm(a.text_width)
        self.text_projection = nn.Parameter(a.text_width ** -0.5 * torch.randn(a.text_width, a.embed_dim))
        self.logit_scale = nn.Parameter(torch.ones([]) * math.log(100))
        nn.init.normal_(self.token_embedding.weight, std=0.02)

    def encode_text(self, text):
        length = text.shape[1]
        mask = torch.full((length, length), float("-inf")).triu(1)
        x = (self.token_embedding(text) + self.positional_embedding[:length]).permute(1, 0, 2)
        x = self.transformer(x, mask).permute(1, 0, 2)
        hidden = self.ln_final(x) @ self.text_projection
        return hidden[torch.arange(hidden.shape[0]), text.argmax(dim=-1)]


class SeqTransfClip4Clip(nn.Module):
    """CLIP4Clip with the seqTransf head (``sim_header = seqTransf``); ``clip`` is None for head-only training."""

    def __init__(self, a, encoders):
        super().__init__()
        if encoders:
            self.clip = Clip(a)
        else:
            # Only the temperature of CLIP is read on cached embeddings (and it is frozen with the rest of CLIP).
            self.clip = nn.Module()
            self.clip.logit_scale = nn.Parameter(torch.ones([]) * math.log(100))
        self.frame_position_embeddings = nn.Embedding(77, a.embed_dim)
        self.transformerClip = Transformer(a.embed_dim, a.head_layers, a.embed_dim // 64, 1e-12, True)

    def similarity(self, text, frames, video_mask):
        original = frames
        positions = self.frame_position_embeddings(torch.arange(frames.shape[1]))
        extended = ((1.0 - video_mask.unsqueeze(1)) * -1000000.0).expand(-1, video_mask.shape[1], -1)
        x = self.transformerClip((frames + positions).permute(1, 0, 2), extended).permute(1, 0, 2)
        x = x + original
        text = text / text.norm(dim=-1, keepdim=True)
        x = x / x.norm(dim=-1, keepdim=True)
        valid = video_mask.unsqueeze(-1)
        count = valid.sum(dim=1)
        count[count == 0.0] = 1.0
        video = (x * valid).sum(dim=1) / count
        video = video / video.norm(dim=-1, keepdim=True)
        return self.clip.logit_scale.exp() * text @ video.t()

    def forward(self, batch):
        if "pixels" in batch:
            b, t = batch["video_mask"].shape
            pixels = batch["pixels"]
            frames = self.clip.visual(pixels.view(b * t, *pixels.shape[2:])).view(b, t, -1)
            text = self.clip.encode_text(batch["input_ids"])
        else:
            frames, text = batch["frames"], batch["text"]
        return self.similarity(text, frames, batch["video_mask"])


def cross_en(sim):
    return -torch.diag(F.log_softmax(sim, dim=-1)).mean()


def freeze(model, freeze_layer_num, clip_frozen):
    """main_task_retrieval.py's loop over model.clip.named_parameters() (2D patch), or all of CLIP frozen."""
    for name, param in model.clip.named_parameters():
        if clip_frozen:
            param.requires_grad = False
            continue
        if name.find("ln_final.") == 0 or name.find("text_projection") == 0 or name.find("logit_scale") == 0 \
                or name.find("visual.ln_post.") == 0 or name.find("visual.proj") == 0:
            continue
        if name.find("visual.transformer.resblocks.") == 0 or name.find("transformer.resblocks.") == 0:
            if int(name.split(".resblocks.")[1].split(".")[0]) >= freeze_layer_num:
                continue
        param.requires_grad = False


def warmup_cosine(x, warmup=0.002):
    if x < warmup:
        return x / warmup
    return 0.5 * (1.0 + math.cos(math.pi * x))


class BertAdam(torch.optim.Optimizer):
    """CLIP4Clip's modules/optimization.py BertAdam with the warmup_cosine schedule."""

    def __init__(self, params, lr, warmup, t_total, b1=0.9, b2=0.98, e=1e-6, weight_decay=0.2, max_grad_norm=1.0):
        super().__init__(params, dict(lr=lr, warmup=warmup, t_total=t_total, b1=b1, b2=b2, e=e,
                                      weight_decay=weight_decay, max_grad_norm=max_grad_norm))

    def step(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = p.grad.data
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = 0
                    state["next_m"] = torch.zeros_like(p.data)
                    state["next_v"] = torch.zeros_like(p.data)
                next_m, next_v = state["next_m"], state["next_v"]
                if group["max_grad_norm"] > 0:
                    clip_grad_norm_(p, group["max_grad_norm"])
                next_m.mul_(group["b1"]).add_(grad, alpha=1 - group["b1"])
                next_v.mul_(group["b2"]).addcmul_(grad, grad, value=1 - group["b2"])
                update = next_m / (next_v.sqrt() + group["e"])
                if group["weight_decay"] > 0.0:
                    update += group["weight_decay"] * p.data
                progress = state["step"] / group["t_total"]
                lr_scheduled = group["lr"] * warmup_cosine(progress, group["warmup"])
                p.data.add_(-lr_scheduled * update)
                state["step"] += 1


def optimizer_for(model, lr=1e-4, coef_lr=1e-3, weight_decay=0.2, t_total=1000):
    """prep_optimizer's four groups: CLIP or not, by 'clip.' in the name; no decay for bias/LayerNorm names."""
    named = list(model.named_parameters())
    no_decay = ["bias", "LayerNorm.bias", "LayerNorm.weight"]
    decay = [(n, p) for n, p in named if not any(nd in n for nd in no_decay)]
    plain = [(n, p) for n, p in named if any(nd in n for nd in no_decay)]
    groups = [
        {"params": [p for n, p in decay if "clip." in n], "weight_decay": weight_decay, "lr": lr * coef_lr},
        {"params": [p for n, p in decay if "clip." not in n], "weight_decay": weight_decay},
        {"params": [p for n, p in plain if "clip." in n], "weight_decay": 0.0, "lr": lr * coef_lr},
        {"params": [p for n, p in plain if "clip." not in n], "weight_decay": 0.0},
    ]
    groups = [g for g in groups if g["params"]]
    return BertAdam(groups, lr=lr, warmup=0.1, t_total=t_total, weight_decay=weight_decay)


def train_step(model, optimizer, batch):
    sim = model(batch)
    loss = (cross_en(sim) + cross_en(sim.T)) / 2
    loss.backward()
    clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    optimizer.zero_grad()
    torch.clamp_(model.clip.logit_scale.data, max=math.log(100))
    return loss.item()


def pixel_batch(a, size, generator):
    pixels = torch.randn(size, a.frames, 3, a.image_size, a.image_size, generator=generator)
    eot = a.vocab - 1
    ids = torch.zeros(size, a.words, dtype=torch.long)
    for row in range(size):
        length = 2 + int(torch.randint(a.words - 1, (1,), generator=generator))
        ids[row, 0] = eot - 1
        ids[row, 1:length - 1] = torch.randint(eot - 1, (length - 2,), generator=generator)
        ids[row, length - 1] = eot
    return {"pixels": pixels, "input_ids": ids, "video_mask": torch.ones(size, a.frames)}


def embedding_batch(a, size, generator):
    return {"frames": torch.randn(size, a.frames, a.embed_dim, generator=generator),
            "text": torch.randn(size, a.embed_dim, generator=generator),
            "video_mask": torch.ones(size, a.frames)}


def full_model(a):
    model = SeqTransfClip4Clip(a, encoders=True).train()
    freeze(model, 0, False)
    return model


def head_model(a):
    model = SeqTransfClip4Clip(a, encoders=False).train()
    freeze(model, 0, True)
    return model


def trainable(model):
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def timed(name, model, batch, steps):
    optimizer = optimizer_for(model)
    train_step(model, optimizer, batch)  # untimed: allocates the optimizer's moments
    losses = []
    start = time.perf_counter()
    for _ in range(steps):
        losses.append(train_step(model, optimizer, batch))
    seconds = time.perf_counter() - start
    size = batch["video_mask"].shape[0]
    print(f"pytorch eager {name}: {steps} steps in {seconds:.1f} s, {steps / seconds:.3f} steps/s,"
          f" loss {losses[0]:.4f} -> {losses[-1]:.4f}", file=sys.stderr)
    return collections.OrderedDict([
        ("batch", size), ("frames", batch["video_mask"].shape[1]), ("steps", steps),
        ("trainable_parameters", trainable(model)), ("seconds", seconds),
        ("steps_per_second", steps / seconds), ("clips_per_second", steps * size / seconds),
        ("loss_first", losses[0]), ("loss_last", losses[-1])])


def status_kib(field):
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field):
                    return float(line.split()[1])
    except OSError:
        pass
    return float("nan")


def memory_run(a, generator):
    batch = pixel_batch(a, a.memory_batch, generator)
    before = status_kib("VmRSS:") * 1024 / GIB
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")
        source = "VmHWM"
    except OSError:
        source = "VmHWM since the process started"
    model = full_model(a)
    optimizer = optimizer_for(model)
    for _ in range(2):
        train_step(model, optimizer, batch)
    peak = status_kib("VmHWM:") * 1024 / GIB
    print(f"pytorch eager memory: batch {a.memory_batch} x {a.frames} frames, RSS {before:.2f} GiB before,"
          f" peak {peak:.2f} GiB ({source})", file=sys.stderr)
    return collections.OrderedDict([
        ("batch", a.memory_batch), ("frames", a.frames), ("steps", 2), ("rss_before_gib", before),
        ("rss_peak_gib", peak), ("rss_peak_source", source)])


def loaded_blas():
    """The BLAS library this process mapped (Debian's torch uses whatever libblas.so.3 points to)."""
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            paths = {line.split()[-1] for line in maps if "blas" in line.lower() and "/" in line}
        return ", ".join(sorted(os.path.realpath(p) for p in paths)) or "none mapped (MKL or built-in)"
    except OSError:
        return "unknown"


# The same products as EncoderBenchmark.MATMUL_SHAPES (square, and ViT-B/32's MLP at batch 32); the best rate counts.
MATMUL_SHAPES = [(1024, 1024, 1024), (1600, 768, 3072), (1600, 3072, 768)]


def matmul_gflops(seconds):
    best = 0.0
    with torch.no_grad():
        for m, k, n in MATMUL_SHAPES:
            a = torch.randn(m, k)
            b = torch.randn(k, n)
            a @ b
            runs = 0
            start = time.perf_counter()
            while runs < 3 or time.perf_counter() - start < seconds / len(MATMUL_SHAPES):
                a @ b
                runs += 1
            best = max(best, 2.0 * m * k * n * runs / (time.perf_counter() - start) / 1e9)
    return best


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--frames", type=int, default=12)
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--head-batch", type=int, default=64)
    parser.add_argument("--head-steps", type=int, default=10)
    parser.add_argument("--memory-batch", type=int, default=8, help="0 skips the memory run")
    parser.add_argument("--matmul-seconds", type=float, default=3.0)
    parser.add_argument("--vision-width", type=int, default=768)
    parser.add_argument("--vision-layers", type=int, default=12)
    parser.add_argument("--patch", type=int, default=32)
    parser.add_argument("--image-size", type=int, default=224)
    parser.add_argument("--text-width", type=int, default=512)
    parser.add_argument("--text-layers", type=int, default=12)
    parser.add_argument("--vocab", type=int, default=49408)
    parser.add_argument("--embed-dim", type=int, default=512)
    parser.add_argument("--head-layers", type=int, default=4)
    parser.add_argument("--words", type=int, default=32)
    a = parser.parse_args(argv)

    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    generator = torch.Generator().manual_seed(11)
    result = collections.OrderedDict([("torch_version", torch.__version__), ("threads", torch.get_num_threads())])
    if a.memory_batch > 0:
        result["memory"] = memory_run(a, generator)
    result["full"] = timed("full fine-tuning", full_model(a), pixel_batch(a, a.batch, generator), a.steps)
    result["matmul_gflops"] = matmul_gflops(a.matmul_seconds)
    result["blas"] = loaded_blas()
    print(f"pytorch eager matmul (best of 1024^3 and ViT MLP products): {result['matmul_gflops']:.1f} GFLOP/s", file=sys.stderr)
    result["head"] = timed("head-only", head_model(a), embedding_batch(a, a.head_batch, generator), a.head_steps)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
