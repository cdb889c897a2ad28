#!/usr/bin/env python3
"""PyTorch eager baseline for ``bin/clip4stream bench encoder``: CLIP ViT-B/32 towers in plain torch, random weights.

Usage
-----
    python3 tools/bench_torch_encoder.py [--threads N] [--batch 1,8,32] [--seconds S] [--text-words 32]

Builds CLIP's visual encoder at ViT-B/32 shapes (conv1 with 32-pixel patches on 224x224 frames, class token,
positional embedding, ln_pre, 12 pre-LN blocks of width 768 with ``nn.MultiheadAttention`` and a QuickGELU MLP,
ln_post, proj to 512) and its text encoder (49,408-token embedding, 12 causal blocks of width 512, ln_final,
text_projection at the EOT token), in float32 on the CPU, ``eval()`` under ``torch.no_grad()``, with
``torch.set_num_threads(N)``. For each batch size it runs one warm-up call, then calls the visual encoder for at
least S seconds (and at least twice) and reports frames/s; the text encoder is timed at batch 1 with a 10-token
caption padded to ``--text-words`` (p50 and p90 latency); the best of a 1024^3 fp32 matmul and ViT-B/32's MLP products at batch 32 gives this torch build's matmul rate.

Debian's python3-torch multiplies with whatever ``libblas.so.3`` points to: the reference BLAS unless OpenBLAS is
installed (``apt-get install libopenblas0-openmp``, which libtorch recommends), and is then 10-50x slower; the
``blas`` field says which library was loaded.

Prints exactly one JSON object on stdout:
    {"torch_version": ..., "threads": N, "matmul_gflops": ..., "blas": PATH, "batches": [{"batch": 1, "frames_per_second": ...},
     ...], "text_latency_ms_p50": ..., "text_latency_ms_p90": ...}
"""

import argparse
import collections
import json
import os
import sys
import time

import torch
from torch import nn


class QuickGELU(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(1.702 * x)


class ResidualAttentionBlock(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.attn = nn.MultiheadAttention(width, heads)
        self.ln_1 = nn.LayerNorm(width)
        self.mlp = nn.Sequential(collections.OrderedDict([
            ("c_fc", nn.Linear(width, width * 4)),
            ("gelu", QuickGELU()),
            ("c_proj", nn.Linear(width * 4, width)),
        ]))
        self.ln_2 = nn.LayerNorm(width)

    def forward(self, x, mask=None):
        y = self.ln_1(x)
        x = x + self.attn(y, y, y, need_weights=False, attn_mask=mask)[0]
        return x + self.mlp(self.ln_2(x))


class VisualTransformer(nn.Module):
    def __init__(self, resolution=224, patch=32, width=768, layers=12, heads=12, output_dim=512):
        super().__init__()
        scale = width ** -0.5
        self.conv1 = nn.Conv2d(3, width, kernel_size=patch, stride=patch, bias=False)
        self.class_embedding = nn.Parameter(scale * torch.randn(width))
        self.positional_embedding = nn.Parameter(scale * torch.randn((resolution // patch) ** 2 + 1, width))
        self.ln_pre = nn.LayerNorm(width)
        self.resblocks = nn.ModuleList([ResidualAttentionBlock(width, heads) for _ in range(layers)])
        self.ln_post = nn.LayerNorm(width)
        self.proj = nn.Parameter(scale * torch.randn(width, output_dim))

    def forward(self, x):
        x = self.conv1(x)  # [N, width, g, g]
        x = x.reshape(x.shape[0], x.shape[1], -1).permute(0, 2, 1)  # [N, g*g, width]
        cls = self.class_embedding + torch.zeros(x.shape[0], 1, x.shape[-1], dtype=x.dtype)
        x = torch.cat([cls, x], dim=1) + self.positional_embedding
        x = self.ln_pre(x).permute(1, 0, 2)  # CLIP runs its transformer sequence-first
        for block in self.resblocks:
            x = block(x)
        x = x.permute(1, 0, 2)
        return self.ln_post(x[:, 0, :]) @ self.proj


class TextTransformer(nn.Module):
    def __init__(self, vocab=49408, context=77, width=512, layers=12, heads=8, output_dim=512):
        super().__init__()
        self.token_embedding = nn.Embedding(vocab, width)
        self.positional_embedding = nn.Parameter(0.01 * torch.randn(context, width))
        self.resblocks = nn.ModuleList([ResidualAttentionBlock(width, heads) for _ in range(layers)])
        self.ln_final = nn.LayerNorm(width)
        self.text_projection = nn.Parameter(width ** -0.5 * torch.randn(width, output_dim))

    def forward(self, text):
        length = text.shape[1]
        mask = torch.full((length, length), float("-inf")).triu(1)
        x = (self.token_embedding(text) + self.positional_embedding[:length]).permute(1, 0, 2)
        for block in self.resblocks:
            x = block(x, mask)
        x = self.ln_final(x.permute(1, 0, 2))
        return x[torch.arange(x.shape[0]), text.argmax(dim=-1)] @ self.text_projection


MATMUL_SHAPES = [(1024, 1024, 1024), (1600, 768, 3072), (1600, 3072, 768)]


def loaded_blas():
    """The BLAS library this process mapped (Debian's torch uses whatever libblas.so.3 points to)."""
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            paths = {line.split()[-1] for line in maps if "blas" in line.lower() and "/" in line}
        return ", ".join(sorted(os.path.realpath(p) for p in paths)) or "none mapped (MKL or built-in)"
    except OSError:
        return "unknown"


def timed_loop(call, seconds, minimum):
    """Runs call() at least `minimum` times and for at least `seconds`; returns (runs, elapsed seconds)."""
    runs = 0
    start = time.perf_counter()
    while runs < minimum or time.perf_counter() - start < seconds:
        call()
        runs += 1
    return runs, time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch", default="1,8,32")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--text-words", type=int, default=32)
    parser.add_argument("--no-text", action="store_true", help="skip the text encoder")
    args = parser.parse_args(argv)
    batches = [int(b) for b in args.batch.split(",") if b.strip()]

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    result = collections.OrderedDict([("torch_version", torch.__version__), ("threads", torch.get_num_threads())])
    with torch.no_grad():
        # The same products as EncoderBenchmark.MATMUL_SHAPES (square, and ViT-B/32's MLP at batch 32); the best rate.
        best = 0.0
        for m, k, n in MATMUL_SHAPES:
            a = torch.randn(m, k)
            b = torch.randn(k, n)
            a @ b
            runs, elapsed = timed_loop(lambda: a @ b, args.seconds / len(MATMUL_SHAPES), 3)
            best = max(best, 2.0 * m * k * n * runs / elapsed / 1e9)
        result["matmul_gflops"] = best
        result["blas"] = loaded_blas()

        visual = VisualTransformer().eval()
        points = []
        for batch in batches:
            frames = torch.randn(batch, 3, 224, 224)
            visual(frames)  # warm-up
            runs, elapsed = timed_loop(lambda: visual(frames), args.seconds, 2)
            points.append({"batch": batch, "frames_per_second": runs * batch / elapsed})
            print(f"pytorch eager batch {batch}: {runs * batch / elapsed:.2f} frames/s", file=sys.stderr)
        result["batches"] = points
        del visual

        if not args.no_text:
            text_model = TextTransformer().eval()
            ids = torch.zeros(1, args.text_words, dtype=torch.long)
            ids[0, 0] = 49406
            ids[0, 1:9] = torch.arange(1001, 1009)
            ids[0, 9] = 49407
            text_model(ids)
            millis = []
            start = time.perf_counter()
            while len(millis) < 10 or time.perf_counter() - start < args.seconds:
                t = time.perf_counter()
                text_model(ids)
                millis.append((time.perf_counter() - t) * 1e3)
            millis.sort()
            result["text_latency_ms_p50"] = millis[len(millis) // 2]
            result["text_latency_ms_p90"] = millis[int(len(millis) * 0.9)]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
