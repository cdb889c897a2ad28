#!/usr/bin/env python3
"""Convert an OpenAI CLIP or CLIP4Clip PyTorch checkpoint into a Clip4Stream model directory.

Usage
-----
    python3 tools/convert_checkpoint.py INPUT OUTPUT_DIR [options]

INPUT is either
  * an OpenAI CLIP archive such as ViT-B-32.pt or ViT-B-16.pt (a TorchScript zip; loaded with
    ``torch.jit.load(...).state_dict()``), or
  * a CLIP4Clip training checkpoint (``pytorch_model.bin.<epoch>``, a pickled state dict; loaded with
    ``torch.load``).

OUTPUT_DIR receives
  * ``weights.safetensors``: every tensor under its CLIP4Clip state-dict name. Raw CLIP names get the ``clip.``
    prefix CLIP4Clip uses (``visual.conv1.weight`` -> ``clip.visual.conv1.weight``); the OpenAI bookkeeping scalars
    ``input_resolution``, ``context_length`` and ``vocab_size`` are dropped, as CLIP4Clip does. Float16 tensors stay
    float16 (the Java loader widens them exactly) unless ``--float32`` is given; bfloat16 is always widened to
    float32.
  * ``config.json``: ``model_id``, ``model_version``, ``sim_header``, ``linear_patch``, ``max_frames``,
    ``max_words``, ``cross_num_hidden_layers`` (and ``bpe_vocab`` when ``--vocab`` is given, copied alongside).

Options
  --sim-header {meanP,seqLSTM,seqTransf,tightTransf}   head to configure (default: detected from the keys; a raw
                                                       CLIP archive only supports meanP, the parameter-free head)
  --linear-patch {2d,3d}     default: 3d when clip.visual.conv2.weight is present, else 2d. For 3d without conv2
                             the original's initialisation [0, conv1, 0] is written (identical to 2d until trained).
  --max-frames N             frames per clip T (default 12, the README recipes)
  --max-words N              caption length L (default 32)
  --cross-layers N           cross_num_hidden_layers (default: counted from the checkpoint, else 4)
  --model-id ID              default: the input file name without extension
  --model-version V          default: "1"
  --vocab PATH               a BPE vocabulary (bpe_simple_vocab_16e6.txt.gz) to ship in the directory
  --float32                  store every floating tensor as float32

Only PyTorch is needed (no ``safetensors`` or ``numpy`` package): the safetensors file is written by hand
(u64 little-endian header length, JSON header padded with spaces to a multiple of 8, raw little-endian data).
The Java side validates the result completely when it loads it (missing, unexpected or mis-shaped tensors are
listed by name), e.g. ``bin/clip4stream model parity`` for the tiny fixtures or any service that loads the directory.

Examples
    python3 tools/convert_checkpoint.py ViT-B-32.pt models/clip-vit-b32 --model-id openai-clip-vit-b32
    python3 tools/convert_checkpoint.py ckpts/pytorch_model.bin.4 models/msrvtt-seqtransf \
        --model-id clip4clip-msrvtt-seqtransf --model-version 5 --max-frames 12 --max-words 32
"""

import argparse
import collections
import ctypes
import json
import os
import re
import shutil
import struct
import sys

RAW_CLIP_ROOTS = ("visual.", "transformer.", "token_embedding.", "positional_embedding", "ln_final.",
                  "text_projection", "logit_scale")
RAW_CLIP_BOOKKEEPING = {"input_resolution", "context_length", "vocab_size"}
HEADS = ("meanP", "seqLSTM", "seqTransf", "tightTransf")


def canonical_name(name):
    """CLIP4Clip nests OpenAI CLIP's state dict under 'clip.'; DataParallel adds 'module.'."""
    if name.startswith("module."):
        name = name[len("module."):]
    if name.startswith("clip."):
        return name
    if name.startswith(RAW_CLIP_ROOTS):
        return "clip." + name
    return name


def load_state_dict(path):
    import torch

    try:
        # OpenAI's archives are TorchScript; CLIP4Clip tries this first too.
        return dict(torch.jit.load(path, map_location="cpu").state_dict()), "openai-clip"
    except RuntimeError:
        pass
    state = torch.load(path, map_location="cpu")
    if isinstance(state, dict) and "state_dict" in state and isinstance(state["state_dict"], dict):
        state = state["state_dict"]
    if not isinstance(state, dict):
        raise SystemExit(f"{path}: neither a TorchScript archive nor a state dict (got {type(state).__name__})")
    return dict(state), "clip4clip"


def detect_head(names):
    if any(n.startswith("cross.") for n in names) or "similarity_dense.weight" in names:
        return "tightTransf"
    if any(n.startswith("transformerClip.") for n in names):
        return "seqTransf"
    if any(n.startswith("lstm_visual.") for n in names):
        return "seqLSTM"
    return "meanP"


def count_cross_layers(names):
    layers = 0
    for name in names:
        match = re.match(r"^(?:transformerClip|cross\.transformer)\.resblocks\.(\d+)\.", name)
        if match:
            layers = max(layers, int(match.group(1)) + 1)
    return layers


def tensor_bytes(tensor):
    """Raw little-endian bytes of a contiguous CPU tensor, without numpy."""
    tensor = tensor.detach().cpu().contiguous()
    if sys.byteorder != "little":
        raise SystemExit("this converter writes little-endian data and must run on a little-endian machine")
    return ctypes.string_at(tensor.data_ptr(), tensor.numel() * tensor.element_size())


def safetensors_dtype(tensor):
    import torch

    table = {torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
             torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8", torch.uint8: "U8",
             torch.bool: "BOOL"}
    if tensor.dtype not in table:
        raise SystemExit(f"unsupported dtype {tensor.dtype}")
    return table[tensor.dtype]


def write_safetensors(path, tensors, metadata):
    """tensors: ordered mapping name -> (dtype string, shape list, bytes)."""
    header = collections.OrderedDict()
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    offset = 0
    for name, (dtype, shape, data) in tensors.items():
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
    header_bytes = json.dumps(header, separators=(",", ":")).encode("utf-8")
    header_bytes += b" " * ((8 - len(header_bytes) % 8) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as out:
        out.write(struct.pack("<Q", len(header_bytes)))
        out.write(header_bytes)
        for _, (_, _, data) in tensors.items():
            out.write(data)
    os.replace(tmp, path)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("input")
    parser.add_argument("output_dir")
    parser.add_argument("--sim-header", choices=HEADS)
    parser.add_argument("--linear-patch", choices=("2d", "3d"))
    parser.add_argument("--max-frames", type=int, default=12)
    parser.add_argument("--max-words", type=int, default=32)
    parser.add_argument("--cross-layers", type=int)
    parser.add_argument("--model-id")
    parser.add_argument("--model-version", default="1")
    parser.add_argument("--vocab")
    parser.add_argument("--float32", action="store_true")
    args = parser.parse_args(argv)

    import torch

    raw, kind = load_state_dict(args.input)
    state = collections.OrderedDict()
    for stored in sorted(raw):
        if stored in RAW_CLIP_BOOKKEEPING:
            continue
        name = canonical_name(stored)
        if name in state:
            raise SystemExit(f"tensor {name} appears twice in {args.input}")
        value = raw[stored]
        if not torch.is_tensor(value):
            raise SystemExit(f"{stored} is a {type(value).__name__}, not a tensor")
        state[name] = value
    if "clip.visual.proj" not in state:
        raise SystemExit("only ViT CLIP checkpoints are supported (clip.visual.proj is missing)")

    names = set(state)
    head = args.sim_header or detect_head(names)
    if kind == "openai-clip" and head != "meanP":
        raise SystemExit(f"a raw CLIP archive has no {head} weights (CLIP4Clip initialises them before training); "
                         "use --sim-header meanP or convert a trained CLIP4Clip checkpoint")
    patch = args.linear_patch or ("3d" if "clip.visual.conv2.weight" in names else "2d")
    if patch == "3d" and "clip.visual.conv2.weight" not in names:
        conv1 = state["clip.visual.conv1.weight"]
        zeros = torch.zeros_like(conv1)
        # CLIP4Clip's 3D-patch initialisation: the middle temporal tap is conv1, the outer taps are zero.
        state["clip.visual.conv2.weight"] = torch.stack([zeros, conv1, zeros], dim=2)
        print("clip.visual.conv2.weight absent: initialised as [0, conv1, 0] like CLIP4Clip", file=sys.stderr)
    cross_layers = args.cross_layers if args.cross_layers is not None else (count_cross_layers(names) or 4)

    tensors = collections.OrderedDict()
    for name, value in state.items():
        if value.dtype == torch.bfloat16 or (args.float32 and value.is_floating_point()):
            # The DJL PyTorch engine aborts on bfloat16; float32 is exact for it.
            value = value.float()
        tensors[name] = (safetensors_dtype(value), list(value.shape), tensor_bytes(value))

    os.makedirs(args.output_dir, exist_ok=True)
    model_id = args.model_id or os.path.splitext(os.path.basename(args.input))[0]
    write_safetensors(os.path.join(args.output_dir, "weights.safetensors"), tensors,
                      {"format": "clip4stream-model", "model_id": model_id, "source": os.path.basename(args.input),
                       "source_kind": kind})
    config = collections.OrderedDict([
        ("model_id", model_id),
        ("model_version", args.model_version),
        ("sim_header", head),
        ("linear_patch", patch),
        ("max_frames", args.max_frames),
        ("max_words", args.max_words),
        ("cross_num_hidden_layers", cross_layers),
    ])
    if args.vocab:
        vocab_name = os.path.basename(args.vocab)
        shutil.copyfile(args.vocab, os.path.join(args.output_dir, vocab_name))
        config["bpe_vocab"] = vocab_name
    with open(os.path.join(args.output_dir, "config.json"), "w", encoding="utf-8") as out:
        json.dump(config, out, indent=2)
        out.write("\n")
    dtypes = collections.Counter(dtype for dtype, _, _ in tensors.values())
    print(f"wrote {len(tensors)} tensors ({dict(dtypes)}) and config.json (head {head}, patch {patch}, "
          f"cross layers {cross_layers}) to {args.output_dir}")


if __name__ == "__main__":
    main()
