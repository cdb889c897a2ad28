#!/usr/bin/env python3
"""Write PyTorch checkpoints in the two formats tools/convert_checkpoint.py reads, from a Clip4Stream model directory.

Usage
-----
    python3 tools/testdata/make_checkpoints.py MODEL_DIR OUT_DIR

MODEL_DIR is a model directory (``weights.safetensors`` + ``config.json``), e.g. the tiny random-weight model written
by ``bin/clip4stream model tiny DIR``. OUT_DIR receives

  * ``pytorch_model.bin``: what CLIP4Clip's training writes (``torch.save(model.state_dict(), ...)``): an OrderedDict
    of float32 tensors under the CLIP4Clip names (``clip.visual.conv1.weight``, ``transformerClip.resblocks.0...``,
    ``cross.pooler.dense.weight``, ``similarity_dense.weight``, ``lstm_visual.weight_ih_l0`` ...), every tensor of the
    model directory.
  * ``pytorch_model_legacy.bin``: the same state dict in the legacy ``torch.save`` format (PyTorch before 1.6, or
    ``_use_new_zipfile_serialization=False``).
  * ``clip.pt``: what OpenAI distributes (``ViT-B-32.pt``): a TorchScript archive (``torch.jit.script`` +
    ``torch.jit.save``) of a CLIP module tree whose ``state_dict()`` has the raw CLIP names (``visual.conv1.weight``,
    ``transformer.resblocks.0.attn.in_proj_weight``, ``token_embedding.weight`` ...), the bookkeeping buffers
    ``input_resolution``, ``context_length`` and ``vocab_size``, and the dtypes of the real archives: CLIP's
    ``convert_weights`` makes Conv/Linear weights and biases, the attention projections, ``proj`` and
    ``text_projection`` float16; embeddings, LayerNorms and ``logit_scale`` stay float32. Only the CLIP tensors are
    written (an OpenAI archive has no CLIP4Clip head), so it converts to a meanP zero-shot model.

The values are exactly the model directory's (F16 values widened to float32 are exact, and narrowing them back to
float16 is exact), so a converted directory must give the same outputs as MODEL_DIR. The safetensors file is parsed
by hand (json + struct + torch.frombuffer): only PyTorch is needed.
"""

import argparse
import collections
import json
import os
import struct
import sys
from typing import Optional

import torch
from torch import nn

DTYPES = {"F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
          "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8,
          "BOOL": torch.bool}


def read_safetensors(path):
    """Returns an OrderedDict name -> tensor (a copy, in the file's dtype) in file order."""
    with open(path, "rb") as f:
        blob = f.read()
    (header_length,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + header_length].decode("utf-8"))
    data = memoryview(blob)[8 + header_length:]
    tensors = collections.OrderedDict()
    entries = [(name, info) for name, info in header.items() if name != "__metadata__"]
    for name, info in sorted(entries, key=lambda item: item[1]["data_offsets"][0]):
        start, end = info["data_offsets"]
        dtype = DTYPES[info["dtype"]]
        if end == start:
            tensor = torch.zeros(info["shape"], dtype=dtype)
        else:
            # frombuffer shares the (read-only) bytes; clone owns them.
            tensor = torch.frombuffer(bytearray(data[start:end]), dtype=dtype).reshape(info["shape"]).clone()
        tensors[name] = tensor
    return tensors


class QuickGELU(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.sigmoid(1.702 * x)


class ResidualAttentionBlock(nn.Module):
    def __init__(self, width: int, heads: int):
        super().__init__()
        self.attn = nn.MultiheadAttention(width, heads)
        self.ln_1 = nn.LayerNorm(width)
        self.mlp = nn.Sequential(collections.OrderedDict([
            ("c_fc", nn.Linear(width, width * 4)),
            ("gelu", QuickGELU()),
            ("c_proj", nn.Linear(width * 4, width)),
        ]))
        self.ln_2 = nn.LayerNorm(width)

    def forward(self, x: torch.Tensor, mask: Optional[torch.Tensor]) -> torch.Tensor:
        y = self.ln_1(x)
        x = x + self.attn(y, y, y, need_weights=False, attn_mask=mask)[0]
        return x + self.mlp(self.ln_2(x))


class Transformer(nn.Module):
    def __init__(self, width: int, layers: int, heads: int):
        super().__init__()
        self.resblocks = nn.ModuleList([ResidualAttentionBlock(width, heads) for _ in range(layers)])

    def forward(self, x: torch.Tensor, mask: Optional[torch.Tensor]) -> torch.Tensor:
        for block in self.resblocks:
            x = block(x, mask)
        return x


class VisionTransformer(nn.Module):
    def __init__(self, resolution: int, patch: int, width: int, layers: int, heads: int, output_dim: int):
        super().__init__()
        self.conv1 = nn.Conv2d(3, width, kernel_size=patch, stride=patch, bias=False)
        self.class_embedding = nn.Parameter(torch.zeros(width))
        self.positional_embedding = nn.Parameter(torch.zeros((resolution // patch) ** 2 + 1, width))
        self.ln_pre = nn.LayerNorm(width)
        self.transformer = Transformer(width, layers, heads)
        self.ln_post = nn.LayerNorm(width)
        self.proj = nn.Parameter(torch.zeros(width, output_dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.conv1(x)
        x = x.reshape(x.shape[0], x.shape[1], -1).permute(0, 2, 1)
        cls = self.class_embedding.to(x.dtype) + torch.zeros(x.shape[0], 1, x.shape[-1], dtype=x.dtype)
        x = torch.cat([cls, x], dim=1) + self.positional_embedding.to(x.dtype)
        x = self.ln_pre(x).permute(1, 0, 2)
        x = self.transformer(x, None).permute(1, 0, 2)
        return self.ln_post(x[:, 0, :]) @ self.proj


class Clip(nn.Module):
    """OpenAI CLIP's module tree (ViT image tower), so that the state-dict names are the real archive's."""

    def __init__(self, shapes):
        super().__init__()
        vision_width = shapes["visual.conv1.weight"][0]
        patch = shapes["visual.conv1.weight"][-1]
        grid = round((shapes["visual.positional_embedding"][0] - 1) ** 0.5)
        vision_layers = count_blocks(shapes, "visual.transformer.resblocks.")
        embed_dim = shapes["text_projection"][1]
        context_length = shapes["positional_embedding"][0]
        vocab_size = shapes["token_embedding.weight"][0]
        text_width = shapes["ln_final.weight"][0]
        text_layers = count_blocks(shapes, "transformer.resblocks.")
        self.visual = VisionTransformer(grid * patch, patch, vision_width, vision_layers, vision_width // 64,
                                        embed_dim)
        self.transformer = Transformer(text_width, text_layers, text_width // 64)
        self.token_embedding = nn.Embedding(vocab_size, text_width)
        self.positional_embedding = nn.Parameter(torch.zeros(context_length, text_width))
        self.ln_final = nn.LayerNorm(text_width)
        self.text_projection = nn.Parameter(torch.zeros(text_width, embed_dim))
        self.logit_scale = nn.Parameter(torch.zeros([]))
        # The real archives carry these as tensors in the state dict; CLIP's build_model deletes them.
        self.register_buffer("input_resolution", torch.tensor(grid * patch))
        self.register_buffer("context_length", torch.tensor(context_length))
        self.register_buffer("vocab_size", torch.tensor(vocab_size))

    def encode_text(self, text: torch.Tensor) -> torch.Tensor:
        length = text.shape[1]
        mask = torch.full((length, length), float("-inf")).triu(1)
        x = self.token_embedding(text) + self.positional_embedding[:length]
        x = self.transformer(x.permute(1, 0, 2), mask).permute(1, 0, 2)
        x = self.ln_final(x)
        return x[torch.arange(x.shape[0]), text.argmax(dim=-1)] @ self.text_projection

    def forward(self, image: torch.Tensor, text: torch.Tensor):
        return self.visual(image), self.encode_text(text)


def count_blocks(shapes, prefix):
    indices = {int(name[len(prefix):].split(".")[0]) for name in shapes if name.startswith(prefix)}
    return max(indices) + 1 if indices else 0


def openai_dtype(name):
    """The dtype CLIP's convert_weights leaves a tensor in (its archives are saved after it)."""
    if name in ("visual.proj", "text_projection") or name.endswith("in_proj_weight") or name.endswith("in_proj_bias"):
        return torch.float16
    if ".mlp.c_" in name or ".attn.out_proj." in name or name == "visual.conv1.weight":
        return torch.float16
    return torch.float32


def write_clip4clip_bin(tensors, path, legacy=False):
    state = collections.OrderedDict((name, value.float()) for name, value in tensors.items())
    # legacy=True writes the pre-1.6 format (pickles followed by raw storages) that older CLIP4Clip runs left behind.
    torch.save(state, path, _use_new_zipfile_serialization=not legacy)
    return len(state)


def write_openai_archive(tensors, path):
    raw = collections.OrderedDict((name[len("clip."):], value) for name, value in tensors.items()
                                  if name.startswith("clip."))
    if "visual.conv2.weight" in raw:
        # OpenAI's archives have the 2D patch only; CLIP4Clip adds conv2 when it builds a 3D model.
        del raw["visual.conv2.weight"]
    model = Clip({name: list(value.shape) for name, value in raw.items()}).eval()
    expected = set(model.state_dict()) - {"input_resolution", "context_length", "vocab_size"}
    if expected != set(raw):
        raise SystemExit(f"tensor names differ from CLIP's: missing {sorted(expected - set(raw))}, "
                         f"unexpected {sorted(set(raw) - expected)}")
    with torch.no_grad():
        params = dict(model.named_parameters())
        for name, value in raw.items():
            params[name].data = value.to(openai_dtype(name))
    scripted = torch.jit.script(model)
    torch.jit.save(scripted, path)
    return scripted


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model_dir")
    parser.add_argument("out_dir")
    args = parser.parse_args(argv)

    tensors = read_safetensors(os.path.join(args.model_dir, "weights.safetensors"))
    os.makedirs(args.out_dir, exist_ok=True)
    bin_path = os.path.join(args.out_dir, "pytorch_model.bin")
    count = write_clip4clip_bin(tensors, bin_path)
    write_clip4clip_bin(tensors, os.path.join(args.out_dir, "pytorch_model_legacy.bin"), legacy=True)
    pt_path = os.path.join(args.out_dir, "clip.pt")
    scripted = write_openai_archive(tensors, pt_path)
    dtypes = collections.Counter(str(v.dtype) for v in scripted.state_dict().values())
    print(f"wrote {bin_path} ({count} float32 tensors) and {pt_path} (TorchScript, {dict(dtypes)})")


if __name__ == "__main__":
    sys.exit(main())
