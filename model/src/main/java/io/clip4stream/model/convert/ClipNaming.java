package io.clip4stream.model.convert;

import io.clip4stream.model.weights.Checkpoint;
import io.clip4stream.model.weights.TensorDType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renames a source state dict to CLIP4Clip's names ({@code clip.visual.conv1.weight}, ...), from either naming a
 * published CLIP checkpoint uses.
 *
 * <ul>
 *   <li>OpenAI's (the TorchScript archives, open_clip and timm's {@code open_clip_model.safetensors}) and CLIP4Clip's
 *       own: {@code module.} (DataParallel) and {@code backbone.} prefixes are removed, raw CLIP names gain
 *       {@code clip.}, and the bookkeeping scalars {@code input_resolution}, {@code context_length} and
 *       {@code vocab_size} are dropped, as CLIP4Clip does.
 *   <li>Hugging Face {@code CLIPModel}'s ({@code vision_model.encoder.layers.N.self_attn.q_proj.weight}, ...): the
 *       mapping of transformers' {@code convert_clip_original_pytorch_to_hf.py} run backwards. The q, k and v
 *       projections are concatenated into {@code in_proj_weight} / {@code in_proj_bias} (rows q, then k, then v, as
 *       {@code nn.MultiheadAttention} splits them); {@code visual_projection.weight} and
 *       {@code text_projection.weight} are {@code nn.Linear} weights and are transposed back into CLIP's
 *       {@code visual.proj} and {@code text_projection} matrices; {@code position_ids} buffers are dropped.
 * </ul>
 */
public final class ClipNaming {

    /** The naming a source used. */
    public enum Convention {
        /** OpenAI CLIP names, possibly nested under CLIP4Clip's {@code clip.}. */
        OPENAI,
        /** Hugging Face transformers {@code CLIPModel} names. */
        HUGGING_FACE
    }

    /**
     * A renamed state dict.
     *
     * @param tensors the tensors under CLIP4Clip names, in name order
     * @param convention the naming the source used
     * @param dropped source names deliberately left out (bookkeeping scalars, position ids)
     */
    public record Renamed(Map<String, SourceTensor> tensors, Convention convention, List<String> dropped) {
        /** Copies the collections. */
        public Renamed {
            tensors = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
            Objects.requireNonNull(convention, "convention");
            dropped = List.copyOf(dropped);
        }
    }

    private static final Set<String> BOOKKEEPING = Set.of("input_resolution", "context_length", "vocab_size");

    private static final List<String> WRAPPER_PREFIXES = List.of("module.", "backbone.");

    /** Non-weight buffers a training framework keeps next to the model (MMAction2's normalisation constants). */
    private static final List<String> FRAMEWORK_PREFIXES = List.of("data_preprocessor.");

    private static final Pattern HF_LAYER =
            Pattern.compile("^(text_model|vision_model)\\.encoder\\.layers\\.(\\d+)\\.(.+)$");
    private static final Pattern HF_QKV = Pattern.compile("^self_attn\\.([qkv])_proj\\.(weight|bias)$");

    /** Per-layer renames inside a transformer block, Hugging Face name to CLIP name. */
    private static final Map<String, String> HF_LAYER_PARTS = Map.of(
            "self_attn.out_proj.weight", "attn.out_proj.weight",
            "self_attn.out_proj.bias", "attn.out_proj.bias",
            "layer_norm1.weight", "ln_1.weight",
            "layer_norm1.bias", "ln_1.bias",
            "layer_norm2.weight", "ln_2.weight",
            "layer_norm2.bias", "ln_2.bias",
            "mlp.fc1.weight", "mlp.c_fc.weight",
            "mlp.fc1.bias", "mlp.c_fc.bias",
            "mlp.fc2.weight", "mlp.c_proj.weight",
            "mlp.fc2.bias", "mlp.c_proj.bias");

    /** Renames outside the transformer blocks, Hugging Face name to CLIP name (without {@code clip.}). */
    private static final Map<String, String> HF_GLOBALS = Map.ofEntries(
            Map.entry("logit_scale", "logit_scale"),
            Map.entry("text_model.embeddings.token_embedding.weight", "token_embedding.weight"),
            Map.entry("text_model.embeddings.position_embedding.weight", "positional_embedding"),
            Map.entry("text_model.final_layer_norm.weight", "ln_final.weight"),
            Map.entry("text_model.final_layer_norm.bias", "ln_final.bias"),
            Map.entry("vision_model.embeddings.class_embedding", "visual.class_embedding"),
            Map.entry("vision_model.embeddings.patch_embedding.weight", "visual.conv1.weight"),
            Map.entry("vision_model.embeddings.position_embedding.weight", "visual.positional_embedding"),
            Map.entry("vision_model.pre_layrnorm.weight", "visual.ln_pre.weight"),
            Map.entry("vision_model.pre_layrnorm.bias", "visual.ln_pre.bias"),
            Map.entry("vision_model.post_layernorm.weight", "visual.ln_post.weight"),
            Map.entry("vision_model.post_layernorm.bias", "visual.ln_post.bias"));

    /** Hugging Face linear weights stored as the transpose of CLIP's projection matrices. */
    private static final Map<String, String> HF_TRANSPOSED =
            Map.of("visual_projection.weight", "visual.proj", "text_projection.weight", "text_projection");

    private ClipNaming() {}

    /** Renames the tensors of {@code source}; a name that fits neither convention is an error naming it. */
    public static Renamed toClip4Clip(StateDict source) throws CheckpointFormatException {
        Map<String, SourceTensor> stripped = new LinkedHashMap<>();
        List<String> dropped = new ArrayList<>();
        for (Map.Entry<String, SourceTensor> entry : source.tensors().entrySet()) {
            String name = stripWrappers(entry.getKey());
            if (FRAMEWORK_PREFIXES.stream().anyMatch(name::startsWith)) {
                dropped.add(entry.getKey());
                continue;
            }
            if (stripped.put(name, entry.getValue()) != null) {
                throw new CheckpointFormatException(source.source() + ": tensor " + name + " appears twice");
            }
        }
        boolean huggingFace =
                stripped.keySet().stream().anyMatch(n -> n.startsWith("vision_model.") || n.startsWith("text_model."));
        return huggingFace
                ? fromHuggingFace(source.source(), stripped, dropped)
                : fromOpenAi(source.source(), stripped, dropped);
    }

    private static String stripWrappers(String name) {
        boolean changed = true;
        while (changed) {
            changed = false;
            for (String prefix : WRAPPER_PREFIXES) {
                if (name.startsWith(prefix)) {
                    name = name.substring(prefix.length());
                    changed = true;
                }
            }
        }
        return name;
    }

    private static Renamed fromOpenAi(String source, Map<String, SourceTensor> tensors, List<String> dropped)
            throws CheckpointFormatException {
        Map<String, SourceTensor> renamed = new TreeMap<>();
        for (Map.Entry<String, SourceTensor> entry : tensors.entrySet()) {
            String name = entry.getKey();
            String bare = name.startsWith("clip.") ? name.substring("clip.".length()) : name;
            if (BOOKKEEPING.contains(bare)) {
                dropped.add(name);
                continue;
            }
            String canonical = Checkpoint.canonicalName(name);
            if (renamed.put(canonical, entry.getValue()) != null) {
                throw new CheckpointFormatException(source + ": tensor " + canonical + " appears twice");
            }
        }
        return new Renamed(renamed, Convention.OPENAI, dropped);
    }

    private static Renamed fromHuggingFace(String source, Map<String, SourceTensor> tensors, List<String> dropped)
            throws CheckpointFormatException {
        Map<String, SourceTensor> renamed = new TreeMap<>();
        Map<String, SourceTensor[]> qkv = new TreeMap<>();
        List<String> unknown = new ArrayList<>();
        for (Map.Entry<String, SourceTensor> entry : tensors.entrySet()) {
            String name = entry.getKey();
            SourceTensor tensor = entry.getValue();
            if (name.endsWith("embeddings.position_ids")) {
                dropped.add(name);
                continue;
            }
            String target = null;
            Matcher layer = HF_LAYER.matcher(name);
            if (HF_GLOBALS.containsKey(name)) {
                target = HF_GLOBALS.get(name);
            } else if (HF_TRANSPOSED.containsKey(name)) {
                target = HF_TRANSPOSED.get(name);
                tensor = transposed(source, name, tensor);
            } else if (layer.matches()) {
                String block = (layer.group(1).equals("text_model") ? "transformer" : "visual.transformer")
                        + ".resblocks." + layer.group(2) + ".";
                Matcher part = HF_QKV.matcher(layer.group(3));
                if (part.matches()) {
                    String key = "clip." + block + "attn.in_proj_" + part.group(2);
                    qkv.computeIfAbsent(key, k -> new SourceTensor[3])["qkv".indexOf(part.group(1))] = tensor;
                    continue;
                }
                String mapped = HF_LAYER_PARTS.get(layer.group(3));
                target = mapped == null ? null : block + mapped;
            }
            if (target == null) {
                unknown.add(name);
            } else if (renamed.put("clip." + target, tensor) != null) {
                throw new CheckpointFormatException(source + ": tensor clip." + target + " appears twice");
            }
        }
        if (!unknown.isEmpty()) {
            throw new CheckpointFormatException(source + ": Hugging Face CLIPModel names with no CLIP counterpart: "
                    + unknown + " (only ViT CLIP models with quick_gelu are converted)");
        }
        for (Map.Entry<String, SourceTensor[]> entry : qkv.entrySet()) {
            renamed.put(entry.getKey(), concatenated(source, entry.getKey(), entry.getValue()));
        }
        return new Renamed(renamed, Convention.HUGGING_FACE, dropped);
    }

    /** A 2-D tensor transposed, as CLIP's {@code x @ proj} is the Hugging Face {@code Linear}'s {@code x @ W^T}. */
    private static SourceTensor transposed(String source, String name, SourceTensor tensor)
            throws CheckpointFormatException {
        long[] shape = tensor.shape();
        if (shape.length != 2) {
            throw new CheckpointFormatException(
                    source + ": " + name + " has shape " + Arrays.toString(shape) + ", expected a matrix");
        }
        int elementSize = tensor.dtype().byteSize();
        return new SourceTensor(tensor.dtype(), new long[] {shape[1], shape[0]}, () -> {
            byte[] bytes = tensor.littleEndianBytes();
            return StridedCopy.gather(bytes, elementSize, 0, new long[] {shape[1], shape[0]}, new long[] {1, shape[1]});
        });
    }

    /** q, k and v projections stacked along the first dimension into one in_proj tensor. */
    private static SourceTensor concatenated(String source, String name, SourceTensor[] parts)
            throws CheckpointFormatException {
        for (int i = 0; i < 3; i++) {
            if (parts[i] == null) {
                throw new CheckpointFormatException(
                        source + ": " + name + " needs q, k and v projections but " + "qkv".charAt(i) + " is missing");
            }
        }
        TensorDType dtype = parts[0].dtype();
        long[] shape = parts[0].shape();
        for (int i = 1; i < 3; i++) {
            if (parts[i].dtype() != dtype || !Arrays.equals(parts[i].shape(), shape)) {
                throw new CheckpointFormatException(source + ": the q, k and v projections of " + name
                        + " differ in dtype or shape (" + Arrays.toString(shape) + " vs "
                        + Arrays.toString(parts[i].shape()) + ")");
            }
        }
        long[] stacked = shape.clone();
        stacked[0] = Math.multiplyExact(shape[0], 3);
        return new SourceTensor(dtype, stacked, () -> {
            byte[][] bytes = new byte[3][];
            int total = 0;
            for (int i = 0; i < 3; i++) {
                bytes[i] = parts[i].littleEndianBytes();
                total += bytes[i].length;
            }
            byte[] out = new byte[total];
            int at = 0;
            for (byte[] part : bytes) {
                System.arraycopy(part, 0, out, at, part.length);
                at += part.length;
            }
            return out;
        });
    }
}
