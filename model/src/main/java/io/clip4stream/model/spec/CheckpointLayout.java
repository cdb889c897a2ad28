package io.clip4stream.model.spec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tensor names and shapes of a CLIP4Clip checkpoint, and the derivation of the network's hyper-parameters from
 * them as the original {@code build_model} / {@code CLIP4Clip.__init__} do.
 *
 * <p>Names are CLIP4Clip state-dict keys ({@code clip.*} for the CLIP towers). A checkpoint must hold every CLIP tensor
 * (plus {@code clip.visual.conv2.weight} for the 3D patch) and every tensor of the configured head; tensors of the
 * other heads may be present (a checkpoint may hold the union), and such a head becomes usable when all of its tensors
 * are there. Anything else is an error.
 */
public final class CheckpointLayout {

    private static final Logger LOG = LoggerFactory.getLogger(CheckpointLayout.class);

    /** CLIP's attention head width: heads = width / 64 in every CLIP and CLIP4Clip transformer. */
    static final int HEAD_WIDTH = 64;

    private static final Pattern VISION_BLOCK = Pattern.compile("^clip\\.visual\\.transformer\\.resblocks\\.(\\d+)\\.");
    private static final Pattern TEXT_BLOCK = Pattern.compile("^clip\\.transformer\\.resblocks\\.(\\d+)\\.");

    private static final String CONV1 = "clip.visual.conv1.weight";
    private static final String CONV2 = "clip.visual.conv2.weight";
    private static final String VISUAL_POSITIONS = "clip.visual.positional_embedding";
    private static final String VISUAL_PROJ = "clip.visual.proj";
    private static final String LN_FINAL = "clip.ln_final.weight";
    private static final String TEXT_PROJECTION = "clip.text_projection";
    private static final String TEXT_POSITIONS = "clip.positional_embedding";
    private static final String TOKEN_EMBEDDING = "clip.token_embedding.weight";

    private CheckpointLayout() {}

    /**
     * Derives the model spec from a checkpoint's tensor shapes and validates every tensor against it.
     *
     * @param source the checkpoint's name for error messages
     * @param shapes every tensor name (CLIP4Clip key) with its shape
     * @param nonFloatingPoint names of tensors whose dtype is not a floating-point type
     * @param config the model directory's settings
     * @throws InvalidCheckpointException listing every missing, unexpected, mis-shaped or mistyped tensor
     */
    public static ModelSpec derive(
            String source, Map<String, long[]> shapes, Set<String> nonFloatingPoint, ModelConfig config) {
        Objects.requireNonNull(shapes, "shapes");
        Objects.requireNonNull(config, "config");
        List<String> problems = new ArrayList<>();
        for (String name : new TreeSet<>(nonFloatingPoint)) {
            problems.add("tensor " + name + " has a non-floating-point dtype");
        }
        Optional<Encoders> encoders = deriveEncoders(shapes, config, problems);
        if (encoders.isEmpty()) {
            throw new InvalidCheckpointException(source, problems);
        }
        VisionSpec vision = encoders.get().vision();
        TextSpec text = encoders.get().text();
        Map<Group, Map<String, long[]>> groups = groups(vision, text, config.crossNumHiddenLayers());

        Set<Group> required = EnumSet.of(Group.CLIP, Group.forHead(config.simHeader()));
        if (vision.linearPatch() == LinearPatch.THREE_D) {
            required.add(Group.CONV2);
        }
        Map<String, Group> owner = new LinkedHashMap<>();
        groups.forEach((group, tensors) -> tensors.keySet().forEach(name -> owner.putIfAbsent(name, group)));

        EnumMap<Group, Boolean> complete = new EnumMap<>(Group.class);
        for (Map.Entry<Group, Map<String, long[]>> group : groups.entrySet()) {
            boolean groupComplete = true;
            for (Map.Entry<String, long[]> tensor : group.getValue().entrySet()) {
                long[] actual = shapes.get(tensor.getKey());
                if (actual == null) {
                    groupComplete = false;
                    if (required.contains(group.getKey())) {
                        problems.add("missing tensor " + tensor.getKey() + ", expected shape "
                                + Arrays.toString(tensor.getValue()));
                    }
                } else if (!sameShape(actual, tensor.getValue())) {
                    groupComplete = false;
                    problems.add("tensor " + tensor.getKey() + " has shape " + Arrays.toString(actual)
                            + " but expected " + Arrays.toString(tensor.getValue()));
                }
            }
            complete.put(group.getKey(), groupComplete);
        }
        SortedSet<String> otherHeads = new TreeSet<>();
        for (Map.Entry<String, long[]> tensor : new TreeMap<>(shapes).entrySet()) {
            Group group = owner.get(tensor.getKey());
            if (group == null) {
                problems.add("unexpected tensor " + tensor.getKey() + " " + Arrays.toString(tensor.getValue())
                        + " (not a CLIP4Clip parameter for this shape and cross_num_hidden_layers "
                        + config.crossNumHiddenLayers() + ")");
            } else if (!required.contains(group)) {
                otherHeads.add(tensor.getKey());
            }
        }
        checkLengths(config, text, problems);
        if (config.simHeader() == SimilarityHead.SEQ_TRANSF && text.width() != text.embedDim()) {
            problems.add("seqTransf adds transformerClip (text width " + text.width()
                    + ") outputs to frame embeddings of dimension " + text.embedDim() + "; they must be equal");
        }
        if (!problems.isEmpty()) {
            throw new InvalidCheckpointException(source, problems);
        }
        if (!otherHeads.isEmpty()) {
            LOG.debug(
                    "checkpoint {} holds {} tensors of heads other than {}: {}",
                    source,
                    otherHeads.size(),
                    config.simHeader().configName(),
                    otherHeads);
        }
        return new ModelSpec(config, vision, text, headSpec(config, vision, text, complete));
    }

    /**
     * Returns every tensor name and shape of a checkpoint with the given encoders and all four heads (and conv2 when
     * the vision spec uses the 3D patch), in a stable order.
     */
    public static Map<String, long[]> allTensors(VisionSpec vision, TextSpec text, int crossLayers) {
        Map<String, long[]> all = new LinkedHashMap<>();
        groups(vision, text, crossLayers).forEach((group, tensors) -> {
            if (group != Group.CONV2 || vision.linearPatch() == LinearPatch.THREE_D) {
                all.putAll(tensors);
            }
        });
        return all;
    }

    private static HeadSpec headSpec(
            ModelConfig config, VisionSpec vision, TextSpec text, Map<Group, Boolean> complete) {
        int embedDim = vision.embedDim();
        int crossLayers = config.crossNumHiddenLayers();
        Optional<SeqLstmSpec> lstm =
                complete.get(Group.SEQ_LSTM) ? Optional.of(new SeqLstmSpec(embedDim, embedDim)) : Optional.empty();
        Optional<SeqTransfSpec> seqTransf = complete.get(Group.SEQ_TRANSF) && text.width() == embedDim
                ? Optional.of(new SeqTransfSpec(text.contextLength(), seqTransfTransformer(text, crossLayers)))
                : Optional.empty();
        Optional<TightTransfSpec> tight = complete.get(Group.TIGHT_TRANSF)
                ? Optional.of(new TightTransfSpec(text.contextLength(), crossTransformer(embedDim, crossLayers)))
                : Optional.empty();
        return new HeadSpec(config.simHeader(), lstm, seqTransf, tight);
    }

    /** transformerClip = TransformerClip(width=transformer_width, heads=transformer_heads, layers=cross layers). */
    private static TransformerSpec seqTransfTransformer(TextSpec text, int crossLayers) {
        return new TransformerSpec(
                text.width(), crossLayers, text.transformer().heads(), TransformerSpec.CLIP4CLIP_LAYER_NORM_EPS);
    }

    /**
     * The cross transformer's hidden size must equal the joint embedding dimension (it concatenates the text and frame
     * features); the released cross_config has 512 / 8 heads, i.e. 64-wide heads like CLIP.
     */
    private static TransformerSpec crossTransformer(int embedDim, int crossLayers) {
        return new TransformerSpec(
                embedDim, crossLayers, Math.max(1, embedDim / HEAD_WIDTH), TransformerSpec.CLIP4CLIP_LAYER_NORM_EPS);
    }

    private static void checkLengths(ModelConfig config, TextSpec text, List<String> problems) {
        if (config.maxWords() > text.contextLength()) {
            problems.add("max_words " + config.maxWords() + " exceeds the text positional table ("
                    + text.contextLength() + " rows)");
        }
        if (config.simHeader() == SimilarityHead.SEQ_TRANSF && config.maxFrames() > text.contextLength()) {
            problems.add("max_frames " + config.maxFrames() + " exceeds frame_position_embeddings ("
                    + text.contextLength() + " rows)");
        }
        if (config.simHeader() == SimilarityHead.TIGHT_TRANSF && config.maxFrames() + 1 > text.contextLength()) {
            problems.add("1 + max_frames = " + (config.maxFrames() + 1)
                    + " exceeds cross.embeddings.position_embeddings (" + text.contextLength() + " rows)");
        }
    }

    private record Encoders(VisionSpec vision, TextSpec text) {}

    private static Optional<Encoders> deriveEncoders(
            Map<String, long[]> shapes, ModelConfig config, List<String> problems) {
        int before = problems.size();
        long[] conv1 = anchor(shapes, CONV1, 4, "the vision width and patch size", problems);
        long[] visualPositions = anchor(shapes, VISUAL_POSITIONS, 2, "the patch grid", problems);
        long[] visualProj = anchor(shapes, VISUAL_PROJ, 2, "the embedding dimension", problems);
        long[] lnFinal = anchor(shapes, LN_FINAL, 1, "the text width", problems);
        long[] textProjection = anchor(shapes, TEXT_PROJECTION, 2, "the text embedding dimension", problems);
        long[] textPositions = anchor(shapes, TEXT_POSITIONS, 2, "the context length", problems);
        long[] tokenEmbedding = anchor(shapes, TOKEN_EMBEDDING, 2, "the vocabulary size", problems);
        if (problems.size() > before) {
            return Optional.empty();
        }
        int visionWidth = (int) conv1[0];
        int patch = (int) conv1[3];
        int grid = (int) Math.round(Math.sqrt(visualPositions[0] - 1.0));
        int embedDim = (int) visualProj[1];
        int textWidth = (int) lnFinal[0];
        int visionLayers = countBlocks(shapes, VISION_BLOCK);
        int textLayers = countBlocks(shapes, TEXT_BLOCK);
        if (visionWidth < HEAD_WIDTH || textWidth < HEAD_WIDTH) {
            problems.add("vision width " + visionWidth + " and text width " + textWidth + " must be at least "
                    + HEAD_WIDTH + " (CLIP uses width / 64 attention heads)");
        }
        if (embedDim != textProjection[1]) {
            problems.add(
                    "clip.visual.proj projects to " + embedDim + " but clip.text_projection to " + textProjection[1]);
        }
        if (grid <= 0 || patch <= 0) {
            problems.add("cannot derive a patch grid from " + VISUAL_POSITIONS + " " + Arrays.toString(visualPositions)
                    + " and " + CONV1 + " " + Arrays.toString(conv1));
        }
        if (problems.size() > before) {
            return Optional.empty();
        }
        VisionSpec vision = new VisionSpec(
                new TransformerSpec(
                        visionWidth, visionLayers, visionWidth / HEAD_WIDTH, TransformerSpec.CLIP_LAYER_NORM_EPS),
                patch,
                grid,
                embedDim,
                config.linearPatch());
        TextSpec text = new TextSpec(
                new TransformerSpec(textWidth, textLayers, textWidth / HEAD_WIDTH, TransformerSpec.CLIP_LAYER_NORM_EPS),
                (int) tokenEmbedding[0],
                (int) textPositions[0],
                (int) textProjection[1]);
        return Optional.of(new Encoders(vision, text));
    }

    private static long[] anchor(
            Map<String, long[]> shapes, String name, int rank, String purpose, List<String> problems) {
        long[] shape = shapes.get(name);
        if (shape == null) {
            problems.add("missing tensor " + name + " (it determines " + purpose + ")");
            return new long[rank];
        }
        if (shape.length != rank) {
            problems.add("tensor " + name + " has shape " + Arrays.toString(shape) + " but must have rank " + rank
                    + " (it determines " + purpose + ")");
            return new long[rank];
        }
        return shape;
    }

    /** Counts blocks as the highest block index + 1, so that a missing middle block is reported by name. */
    private static int countBlocks(Map<String, long[]> shapes, Pattern block) {
        int layers = 0;
        for (String name : shapes.keySet()) {
            Matcher matcher = block.matcher(name);
            if (matcher.find()) {
                layers = Math.max(layers, Integer.parseInt(matcher.group(1)) + 1);
            }
        }
        return layers;
    }

    /** A 0-d scalar may also be stored as a 1-element vector (some writers cannot express rank 0). */
    private static boolean sameShape(long[] actual, long[] expected) {
        if (expected.length == 0) {
            return actual.length == 0 || (actual.length == 1 && actual[0] == 1);
        }
        return Arrays.equals(actual, expected);
    }

    /** Tensors that are present or absent together. */
    private enum Group {
        CLIP,
        CONV2,
        SEQ_LSTM,
        SEQ_TRANSF,
        TIGHT_TRANSF;

        static Group forHead(SimilarityHead head) {
            return switch (head) {
                case MEAN_P -> CLIP;
                case SEQ_LSTM -> SEQ_LSTM;
                case SEQ_TRANSF -> SEQ_TRANSF;
                case TIGHT_TRANSF -> TIGHT_TRANSF;
            };
        }
    }

    private static Map<Group, Map<String, long[]>> groups(VisionSpec vision, TextSpec text, int crossLayers) {
        Map<Group, Map<String, long[]>> groups = new EnumMap<>(Group.class);
        groups.put(Group.CLIP, clipTensors(vision, text));
        long width = vision.width();
        long patch = vision.patchSize();
        groups.put(Group.CONV2, Map.of(CONV2, new long[] {width, 3, 3, patch, patch}));
        long dim = vision.embedDim();
        Map<String, long[]> lstm = new LinkedHashMap<>();
        lstm.put("lstm_visual.weight_ih_l0", new long[] {4 * dim, dim});
        lstm.put("lstm_visual.weight_hh_l0", new long[] {4 * dim, dim});
        lstm.put("lstm_visual.bias_ih_l0", new long[] {4 * dim});
        lstm.put("lstm_visual.bias_hh_l0", new long[] {4 * dim});
        groups.put(Group.SEQ_LSTM, lstm);
        Map<String, long[]> seqTransf = new LinkedHashMap<>();
        seqTransf.put("frame_position_embeddings.weight", new long[] {text.contextLength(), dim});
        blocks(seqTransf, "transformerClip.resblocks.", text.width(), crossLayers);
        groups.put(Group.SEQ_TRANSF, seqTransf);
        Map<String, long[]> tight = new LinkedHashMap<>();
        tight.put("cross.embeddings.position_embeddings.weight", new long[] {text.contextLength(), dim});
        blocks(tight, "cross.transformer.resblocks.", (int) dim, crossLayers);
        tight.put("cross.pooler.ln_pool.weight", new long[] {dim});
        tight.put("cross.pooler.ln_pool.bias", new long[] {dim});
        tight.put("cross.pooler.dense.weight", new long[] {dim, dim});
        tight.put("cross.pooler.dense.bias", new long[] {dim});
        tight.put("similarity_dense.weight", new long[] {1, dim});
        tight.put("similarity_dense.bias", new long[] {1});
        groups.put(Group.TIGHT_TRANSF, tight);
        return groups;
    }

    private static Map<String, long[]> clipTensors(VisionSpec vision, TextSpec text) {
        Map<String, long[]> clip = new LinkedHashMap<>();
        long vw = vision.width();
        long patch = vision.patchSize();
        clip.put(CONV1, new long[] {vw, 3, patch, patch});
        clip.put("clip.visual.class_embedding", new long[] {vw});
        clip.put(VISUAL_POSITIONS, new long[] {vision.tokens(), vw});
        clip.put("clip.visual.ln_pre.weight", new long[] {vw});
        clip.put("clip.visual.ln_pre.bias", new long[] {vw});
        blocks(
                clip,
                "clip.visual.transformer.resblocks.",
                vision.width(),
                vision.transformer().layers());
        clip.put("clip.visual.ln_post.weight", new long[] {vw});
        clip.put("clip.visual.ln_post.bias", new long[] {vw});
        clip.put(VISUAL_PROJ, new long[] {vw, vision.embedDim()});
        long tw = text.width();
        clip.put(TOKEN_EMBEDDING, new long[] {text.vocabSize(), tw});
        clip.put(TEXT_POSITIONS, new long[] {text.contextLength(), tw});
        blocks(
                clip,
                "clip.transformer.resblocks.",
                text.width(),
                text.transformer().layers());
        clip.put(LN_FINAL, new long[] {tw});
        clip.put("clip.ln_final.bias", new long[] {tw});
        clip.put(TEXT_PROJECTION, new long[] {tw, text.embedDim()});
        clip.put("clip.logit_scale", new long[0]);
        return clip;
    }

    private static void blocks(Map<String, long[]> into, String prefix, int width, int layers) {
        long w = width;
        for (int i = 0; i < layers; i++) {
            String block = prefix + i + ".";
            into.put(block + "attn.in_proj_weight", new long[] {3 * w, w});
            into.put(block + "attn.in_proj_bias", new long[] {3 * w});
            into.put(block + "attn.out_proj.weight", new long[] {w, w});
            into.put(block + "attn.out_proj.bias", new long[] {w});
            into.put(block + "ln_1.weight", new long[] {w});
            into.put(block + "ln_1.bias", new long[] {w});
            into.put(block + "mlp.c_fc.weight", new long[] {4 * w, w});
            into.put(block + "mlp.c_fc.bias", new long[] {4 * w});
            into.put(block + "mlp.c_proj.weight", new long[] {w, 4 * w});
            into.put(block + "mlp.c_proj.bias", new long[] {w});
            into.put(block + "ln_2.weight", new long[] {w});
            into.put(block + "ln_2.bias", new long[] {w});
        }
    }
}
