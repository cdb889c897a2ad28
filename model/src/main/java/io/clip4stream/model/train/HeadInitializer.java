package io.clip4stream.model.train;

import io.clip4stream.model.spec.CheckpointLayout;
import io.clip4stream.model.spec.LinearPatch;
import io.clip4stream.model.spec.ModelConfig;
import io.clip4stream.model.spec.ModelSpec;
import io.clip4stream.model.spec.SimilarityHead;
import io.clip4stream.model.weights.Checkpoint;
import io.clip4stream.model.weights.TensorData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The starting weights of a similarity head for a CLIP-only checkpoint, as the original's {@code
 * CLIP4Clip.from_pretrained} makes them: {@code __init__} initialises every module ({@code init_weights} and PyTorch's
 * defaults), then the tensors its "initialization trick" copies from CLIP's text tower overwrite their share.
 *
 * <p>What is copied (when the shapes agree; otherwise the original's load logs a size mismatch and keeps the
 * initialised tensor, and so does this, with a warning):
 *
 * <ul>
 *   <li>seqLSTM and seqTransf: {@code frame_position_embeddings.weight} ← {@code clip.positional_embedding}, all rows;
 *   <li>seqTransf: {@code transformerClip.resblocks.i.*} ← {@code clip.transformer.resblocks.i.*} for i below both
 *       {@code cross_num_hidden_layers} and the text tower's depth;
 *   <li>tightTransf: {@code cross.embeddings.position_embeddings.weight} ← {@code clip.positional_embedding} and
 *       {@code cross.transformer.resblocks.i.*} ← {@code clip.transformer.resblocks.i.*} likewise.
 * </ul>
 *
 * <p>What is initialised: Linear and Embedding weights normal(0, 0.02) ({@code init_weights}, which also reaches the
 * attention's {@code out_proj}, a Linear subclass), Linear biases 0, the cross LayerNorms weight 1 and bias 0, the
 * attention's {@code in_proj_weight} Xavier-uniform and {@code in_proj_bias} 0 ({@code nn.MultiheadAttention}'s own
 * reset, which {@code init_weights} does not touch), and all four LSTM tensors, biases included, uniform(-1/√H, 1/√H)
 * (PyTorch's {@code nn.LSTM} reset; {@code init_weights} skips LSTMs).
 *
 * <p>The random draws come from {@link SplittableRandom} streams, one per tensor, derived from the seed and the
 * tensor's name; they follow the original's distributions but are not PyTorch's random stream, so the values differ
 * from the original's for any seed. Every tensor is returned as F32, the dtype of head parameters in the original's
 * checkpoints; copies hold exactly the CLIP values (an F16 source widens exactly).
 */
public final class HeadInitializer {

    /** The argparse default of {@code cross_num_hidden_layers}. */
    public static final int DEFAULT_CROSS_LAYERS = 4;

    /** The original's {@code cross_config.json} {@code initializer_range}: the std of Linear and Embedding weights. */
    public static final double INITIALIZER_RANGE = 0.02;

    private static final Logger LOG = LoggerFactory.getLogger(HeadInitializer.class);

    private static final String CLIP_PREFIX = "clip.";
    private static final String CLIP_POSITIONS = "clip.positional_embedding";
    private static final String CLIP_TEXT_BLOCKS = "clip.transformer.resblocks.";
    private static final String FRAME_POSITIONS = "frame_position_embeddings.weight";
    private static final String SEQ_TRANSF_BLOCKS = "transformerClip.resblocks.";
    private static final String CROSS_POSITIONS = "cross.embeddings.position_embeddings.weight";
    private static final String CROSS_BLOCKS = "cross.transformer.resblocks.";

    private HeadInitializer() {}

    /**
     * Returns the tensors of {@code head} with {@code crossLayers} blocks, by CLIP4Clip name and in the checkpoint
     * layout's order, for the CLIP-only checkpoint {@code clip}; meanP has none.
     *
     * @throws IllegalArgumentException when {@code clip} holds anything but {@code clip.*} tensors
     * @throws io.clip4stream.model.spec.InvalidCheckpointException when its CLIP tensors are incomplete or mis-shaped
     */
    public static Map<String, TensorData> initialize(Checkpoint clip, SimilarityHead head, int crossLayers, long seed) {
        Objects.requireNonNull(clip, "clip");
        Objects.requireNonNull(head, "head");
        List<String> foreign = clip.shapes().keySet().stream()
                .filter(name -> !name.startsWith(CLIP_PREFIX))
                .toList();
        if (!foreign.isEmpty()) {
            throw new IllegalArgumentException("checkpoint " + clip.source()
                    + " is not CLIP-only (a head starts from CLIP alone); it also holds " + foreign);
        }
        // meanP needs no head tensors, so the layout validates the CLIP towers alone and yields the widths and depth.
        ModelConfig clipOnly = new ModelConfig(
                "clip-only", "0", SimilarityHead.MEAN_P, LinearPatch.TWO_D, 1, 2, crossLayers, Optional.empty());
        ModelSpec spec = CheckpointLayout.derive(clip.source(), clip.shapes(), clip.nonFloatingPoint(), clipOnly);
        Map<String, TensorData> out = new LinkedHashMap<>();
        List<String> mismatched = new ArrayList<>();
        CheckpointLayout.allTensors(spec.vision(), spec.text(), crossLayers).forEach((name, shape) -> {
            if (!belongsTo(head, name)) {
                return;
            }
            Optional<String> source = copySource(name);
            if (source.isPresent() && clip.contains(source.get())) {
                long[] sourceShape = clip.info(source.get()).shape();
                if (Arrays.equals(sourceShape, shape)) {
                    out.put(name, TensorData.f32(shape, clip.floats(source.get())));
                    return;
                }
                mismatched.add(name + " " + Arrays.toString(shape) + " vs " + source.get() + " "
                        + Arrays.toString(sourceShape));
            }
            out.put(name, TensorData.f32(shape, initial(name, shape, seed)));
        });
        if (!mismatched.isEmpty()) {
            LOG.warn(
                    "{} head for {}: kept the initialised values where the CLIP source has another shape, as the"
                            + " original's load does: {}",
                    head.configName(),
                    clip.source(),
                    mismatched);
        }
        return out;
    }

    /** The head's tensors as the original's model holds them; seqLSTM also has the (unused) frame positions. */
    private static boolean belongsTo(SimilarityHead head, String name) {
        return switch (head) {
            case MEAN_P -> false;
            case SEQ_LSTM -> name.startsWith("lstm_visual.") || name.equals(FRAME_POSITIONS);
            case SEQ_TRANSF -> name.equals(FRAME_POSITIONS) || name.startsWith(SEQ_TRANSF_BLOCKS);
            case TIGHT_TRANSF -> name.startsWith("cross.") || name.startsWith("similarity_dense.");
        };
    }

    /** The CLIP tensor the original's initialization trick copies into {@code name}, if any. */
    private static Optional<String> copySource(String name) {
        if (name.equals(FRAME_POSITIONS) || name.equals(CROSS_POSITIONS)) {
            return Optional.of(CLIP_POSITIONS);
        }
        if (name.startsWith(SEQ_TRANSF_BLOCKS)) {
            return Optional.of(CLIP_TEXT_BLOCKS + name.substring(SEQ_TRANSF_BLOCKS.length()));
        }
        if (name.startsWith(CROSS_BLOCKS)) {
            return Optional.of(CLIP_TEXT_BLOCKS + name.substring(CROSS_BLOCKS.length()));
        }
        return Optional.empty();
    }

    /** The value {@code CLIP4Clip.__init__} leaves in {@code name}, drawn from the tensor's own stream. */
    private static float[] initial(String name, long[] shape, long seed) {
        int count = Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact));
        float[] values = new float[count];
        if (name.endsWith("bias") && !name.startsWith("lstm_visual.")) {
            return values;
        }
        if (name.endsWith(".ln_1.weight") || name.endsWith(".ln_2.weight") || name.endsWith(".ln_pool.weight")) {
            Arrays.fill(values, 1f);
            return values;
        }
        SplittableRandom random = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * name.hashCode()));
        if (name.startsWith("lstm_visual.")) {
            // nn.LSTM.reset_parameters: every weight and bias uniform(-1/sqrt(hidden), 1/sqrt(hidden)).
            double bound = 1.0 / Math.sqrt(lstmHidden(shape));
            fillUniform(values, bound, random);
        } else if (name.endsWith("attn.in_proj_weight")) {
            // nn.MultiheadAttention._reset_parameters: xavier_uniform_ over [3W, W], fan_in W and fan_out 3W.
            fillUniform(values, Math.sqrt(6.0 / (shape[0] + shape[1])), random);
        } else {
            for (int i = 0; i < count; i++) {
                values[i] = (float) (INITIALIZER_RANGE * gaussian(random));
            }
        }
        return values;
    }

    /** The LSTM's hidden size: its tensors have 4 × hidden rows (gates i, f, g, o). */
    private static long lstmHidden(long[] shape) {
        return shape[0] / 4;
    }

    private static void fillUniform(float[] values, double bound, SplittableRandom random) {
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (bound * (2 * random.nextDouble() - 1));
        }
    }

    /** Box-Muller from two uniforms: fully specified, so the draws do not depend on the JDK's Gaussian algorithm. */
    private static double gaussian(SplittableRandom random) {
        double u1 = 1.0 - random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }
}
