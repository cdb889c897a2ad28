package io.clip4stream.model.weights;

import io.clip4stream.model.spec.CheckpointLayout;
import io.clip4stream.model.spec.ModelConfig;
import io.clip4stream.model.spec.TextSpec;
import io.clip4stream.model.spec.TransformerSpec;
import io.clip4stream.model.spec.VisionSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Writes a small CLIP4Clip model directory with random weights, deterministic from a seed, holding the weights of all
 * four heads (so tightTransf scoring works too); for tests and the all-in-one mode, never for retrieval quality.
 *
 * <p>Initial scales follow CLIP's initialisation (attention and MLP weights scaled by width, small embeddings,
 * {@code logit_scale = ln 100}), so activations stay in a realistic range. Values are rounded through float16 and
 * stored as F16 (except the logit scale), which halves the file and exercises the loader's widening; loading gives the
 * exact generated values.
 */
public final class TinyModelGenerator {

    private static final double LN_100 = Math.log(100.0);

    private final long seed;

    /** The model card's {@code knows} of a generated model: nothing, its weights are random. */
    public static final String RANDOM_WEIGHTS = "random-weights";

    /** Creates a generator whose output depends only on {@code seed} and the shape. */
    public TinyModelGenerator(long seed) {
        this.seed = seed;
    }

    /** Writes config.json and weights.safetensors into {@code dir} and returns the opened model directory. */
    public ModelDirectory generate(Path dir, TinyModelShape shape, String modelId) throws IOException {
        ModelConfig config = new ModelConfig(
                modelId,
                "tiny-seed-" + seed,
                shape.head(),
                shape.linearPatch(),
                shape.maxFrames(),
                shape.maxWords(),
                shape.crossLayers(),
                Optional.empty());
        ModelDirectory.write(dir, config, tensors(shape));
        // Says so in the model card, so that the page and the CLI can tell a user its rankings mean nothing.
        Path file = dir.resolve(ModelDirectory.CONFIG_FILE);
        com.fasterxml.jackson.databind.node.ObjectNode json = (com.fasterxml.jackson.databind.node.ObjectNode)
                new com.fasterxml.jackson.databind.ObjectMapper().readTree(file.toFile());
        json.put("knows", RANDOM_WEIGHTS);
        java.nio.file.Files.writeString(file, json.toPrettyString());
        return ModelDirectory.open(dir);
    }

    /** Returns the generated tensors by CLIP4Clip name. */
    public Map<String, TensorData> tensors(TinyModelShape shape) {
        VisionSpec vision = new VisionSpec(
                new TransformerSpec(
                        shape.visionWidth(),
                        shape.visionLayers(),
                        shape.visionWidth() / 64,
                        TransformerSpec.CLIP_LAYER_NORM_EPS),
                shape.patchSize(),
                shape.imageSize() / shape.patchSize(),
                shape.embedDim(),
                shape.linearPatch());
        TextSpec text = new TextSpec(
                new TransformerSpec(
                        shape.textWidth(),
                        shape.textLayers(),
                        shape.textWidth() / 64,
                        TransformerSpec.CLIP_LAYER_NORM_EPS),
                shape.vocabSize(),
                77,
                shape.embedDim());
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        CheckpointLayout.allTensors(vision, text, shape.crossLayers()).forEach((name, dims) -> {
            if (name.equals("clip.logit_scale")) {
                tensors.put(name, TensorData.f32(dims, (float) LN_100));
            } else {
                tensors.put(name, TensorData.f16(dims, values(name, dims, shape)));
            }
        });
        return tensors;
    }

    private float[] values(String name, long[] dims, TinyModelShape shape) {
        long count = 1;
        for (long dim : dims) {
            count *= dim;
        }
        // One stream per tensor: adding or removing a tensor leaves every other tensor's values unchanged.
        SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ name.hashCode());
        float[] values = new float[(int) count];
        Init init = init(name, dims, shape);
        for (int i = 0; i < values.length; i++) {
            double sample = init.uniform() ? (2 * random.nextDouble() - 1) : gaussian(random);
            // Round through float16 here so that the F16 file holds exactly these values.
            values[i] = Float.float16ToFloat(Float.floatToFloat16((float) (init.mean() + init.scale() * sample)));
        }
        return values;
    }

    private record Init(double mean, double scale, boolean uniform) {
        static Init normal(double std) {
            return new Init(0, std, false);
        }
    }

    private static Init init(String name, long[] dims, TinyModelShape shape) {
        int layers = name.startsWith("clip.visual.")
                ? shape.visionLayers()
                : name.startsWith("clip.") ? shape.textLayers() : Math.max(1, shape.crossLayers());
        double width = dims.length > 1 ? dims[dims.length - 1] : dims[0];
        if (name.contains(".ln_") || name.startsWith("clip.ln_")) {
            return name.endsWith(".weight") ? new Init(1, 0.02, false) : Init.normal(0.02);
        }
        if (name.startsWith("lstm_visual.")) {
            return new Init(0, 1 / Math.sqrt(shape.embedDim()), true);
        }
        if (name.endsWith("bias")) {
            return Init.normal(0.02);
        }
        if (name.endsWith("in_proj_weight")) {
            return Init.normal(Math.pow(width, -0.5));
        }
        if (name.endsWith("out_proj.weight") || name.endsWith("c_proj.weight")) {
            double blockWidth = dims[0];
            return Init.normal(Math.pow(blockWidth, -0.5) * Math.pow(2.0 * layers, -0.5));
        }
        if (name.endsWith("c_fc.weight")) {
            return Init.normal(Math.pow(2 * width, -0.5));
        }
        if (name.equals("clip.visual.conv1.weight")) {
            return Init.normal(Math.pow(3.0 * shape.patchSize() * shape.patchSize(), -0.5));
        }
        if (name.equals("clip.visual.conv2.weight")) {
            return Init.normal(Math.pow(9.0 * shape.patchSize() * shape.patchSize(), -0.5));
        }
        if (name.equals("clip.visual.class_embedding")
                || name.equals("clip.visual.positional_embedding")
                || name.equals("clip.visual.proj")
                || name.equals("clip.text_projection")) {
            return Init.normal(Math.pow(dims[0], -0.5));
        }
        if (name.equals("clip.token_embedding.weight")) {
            return Init.normal(0.02);
        }
        if (name.endsWith("position_embeddings.weight") || name.equals("clip.positional_embedding")) {
            return Init.normal(0.01);
        }
        // cross.pooler.dense.weight and similarity_dense.weight.
        return Init.normal(Math.pow(shape.embedDim(), -0.5));
    }

    /** Box-Muller from two uniforms: fully specified, so the weights do not depend on the JDK's Gaussian algorithm. */
    private static double gaussian(SplittableRandom random) {
        double u1 = 1.0 - random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }
}
