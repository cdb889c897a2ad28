package io.clip4stream.model.convert;

import io.clip4stream.model.spec.LinearPatch;
import io.clip4stream.model.spec.SimilarityHead;
import io.clip4stream.model.weights.TensorDType;
import io.clip4stream.model.weights.TensorData;
import io.clip4stream.model.weights.TinyModelGenerator;
import io.clip4stream.model.weights.TinyModelShape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;

/** The tiny model's tensors in the namings and dtypes of the published checkpoints, for converter tests. */
final class TinyCheckpoint {

    /** The tiny model with a 1,000-token vocabulary: conversion does not tokenize, and small files keep tests fast. */
    static final TinyModelShape SHAPE =
            new TinyModelShape(64, 2, 16, 64, 64, 2, 1000, 64, 2, 12, 32, SimilarityHead.MEAN_P, LinearPatch.TWO_D);

    /** Every tensor of the tiny model with all four heads, as F32, under CLIP4Clip names. */
    static final Map<String, TensorData> CLIP4CLIP = widened(new TinyModelGenerator(7).tensors(SHAPE));

    private TinyCheckpoint() {}

    /** The CLIP towers only, under OpenAI's raw names, in the dtypes of OpenAI's archives (F16 where CLIP halves). */
    static Map<String, TensorData> openAi() {
        Map<String, TensorData> raw = new LinkedHashMap<>();
        CLIP4CLIP.forEach((name, data) -> {
            if (name.startsWith("clip.") && !name.equals("clip.visual.conv2.weight")) {
                String bare = name.substring("clip.".length());
                raw.put(bare, halvedLikeOpenAi(bare) ? half(data) : data);
            }
        });
        return raw;
    }

    /** The CLIP towers under Hugging Face CLIPModel names, as transformers' conversion script writes them. */
    static Map<String, TensorData> huggingFace() {
        Map<String, TensorData> hf = new LinkedHashMap<>();
        CLIP4CLIP.forEach((name, data) -> {
            if (!name.startsWith("clip.") || name.equals("clip.visual.conv2.weight")) {
                return;
            }
            String bare = name.substring("clip.".length());
            switch (bare) {
                case "logit_scale" -> hf.put("logit_scale", data);
                case "token_embedding.weight" -> hf.put("text_model.embeddings.token_embedding.weight", data);
                case "positional_embedding" -> hf.put("text_model.embeddings.position_embedding.weight", data);
                case "ln_final.weight" -> hf.put("text_model.final_layer_norm.weight", data);
                case "ln_final.bias" -> hf.put("text_model.final_layer_norm.bias", data);
                case "text_projection" -> hf.put("text_projection.weight", transpose(data));
                case "visual.proj" -> hf.put("visual_projection.weight", transpose(data));
                case "visual.class_embedding" -> hf.put("vision_model.embeddings.class_embedding", data);
                case "visual.conv1.weight" -> hf.put("vision_model.embeddings.patch_embedding.weight", data);
                case "visual.positional_embedding" -> hf.put("vision_model.embeddings.position_embedding.weight", data);
                case "visual.ln_pre.weight" -> hf.put("vision_model.pre_layrnorm.weight", data);
                case "visual.ln_pre.bias" -> hf.put("vision_model.pre_layrnorm.bias", data);
                case "visual.ln_post.weight" -> hf.put("vision_model.post_layernorm.weight", data);
                case "visual.ln_post.bias" -> hf.put("vision_model.post_layernorm.bias", data);
                default -> block(hf, bare, data);
            }
        });
        long[] positions = {77};
        hf.put("text_model.embeddings.position_ids", TensorData.i64(new long[] {1, 77}, range(positions[0])));
        return hf;
    }

    private static void block(Map<String, TensorData> hf, String bare, TensorData data) {
        String tower = bare.startsWith("visual.") ? "vision_model" : "text_model";
        String rest = bare.substring(bare.indexOf("resblocks.") + "resblocks.".length());
        String layer = rest.substring(0, rest.indexOf('.'));
        String part = rest.substring(rest.indexOf('.') + 1);
        String prefix = tower + ".encoder.layers." + layer + ".";
        if (part.startsWith("attn.in_proj_")) {
            String kind = part.substring("attn.in_proj_".length());
            TensorData[] split = splitInThree(data);
            hf.put(prefix + "self_attn.q_proj." + kind, split[0]);
            hf.put(prefix + "self_attn.k_proj." + kind, split[1]);
            hf.put(prefix + "self_attn.v_proj." + kind, split[2]);
            return;
        }
        String mapped = part.replace("attn.out_proj", "self_attn.out_proj")
                .replace("ln_1", "layer_norm1")
                .replace("ln_2", "layer_norm2")
                .replace("mlp.c_fc", "mlp.fc1")
                .replace("mlp.c_proj", "mlp.fc2");
        hf.put(prefix + mapped, data);
    }

    /** CLIP's convert_weights halves conv, linear and attention weights and the projections, not LayerNorms. */
    static boolean halvedLikeOpenAi(String bare) {
        return bare.equals("visual.proj")
                || bare.equals("text_projection")
                || bare.equals("visual.conv1.weight")
                || bare.contains(".attn.")
                || bare.contains(".mlp.c_");
    }

    static float[] floats(TensorData data) {
        ByteBuffer in = ByteBuffer.wrap(data.littleEndianBytes()).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[data.byteLength() / data.dtype().byteSize()];
        for (int i = 0; i < out.length; i++) {
            out[i] = switch (data.dtype()) {
                case F32 -> in.getFloat();
                case F16 -> Float.float16ToFloat(in.getShort());
                default -> throw new IllegalArgumentException(data.dtype() + " in the tiny model");
            };
        }
        return out;
    }

    static TensorData half(TensorData data) {
        return TensorData.f16(data.shape(), floats(data));
    }

    private static Map<String, TensorData> widened(Map<String, TensorData> tensors) {
        Map<String, TensorData> out = new LinkedHashMap<>();
        tensors.forEach((name, data) ->
                out.put(name, data.dtype() == TensorDType.F32 ? data : TensorData.f32(data.shape(), floats(data))));
        return out;
    }

    static TensorData transpose(TensorData data) {
        long[] shape = data.shape();
        float[] in = floats(data);
        float[] out = new float[in.length];
        for (int i = 0; i < shape[0]; i++) {
            for (int j = 0; j < shape[1]; j++) {
                out[(int) (j * shape[0] + i)] = in[(int) (i * shape[1] + j)];
            }
        }
        return TensorData.f32(new long[] {shape[1], shape[0]}, out);
    }

    private static TensorData[] splitInThree(TensorData data) {
        long[] shape = data.shape();
        float[] in = floats(data);
        long[] part = shape.clone();
        part[0] = shape[0] / 3;
        int length = in.length / 3;
        TensorData[] out = new TensorData[3];
        for (int i = 0; i < 3; i++) {
            out[i] = TensorData.f32(part, java.util.Arrays.copyOfRange(in, i * length, (i + 1) * length));
        }
        return out;
    }

    private static long[] range(long n) {
        long[] out = new long[(int) n];
        for (int i = 0; i < n; i++) {
            out[i] = i;
        }
        return out;
    }
}
