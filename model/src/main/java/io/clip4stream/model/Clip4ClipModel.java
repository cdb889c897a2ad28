package io.clip4stream.model;

import ai.djl.Device;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.clip4stream.model.nn.CheckpointParameters;
import io.clip4stream.model.nn.Clip4ClipNetwork;
import io.clip4stream.model.nn.MaskedMeanPooling;
import io.clip4stream.model.nn.TightTransfHead;
import io.clip4stream.model.nn.TorchRuntime;
import io.clip4stream.model.sampling.FrameSelection;
import io.clip4stream.model.sampling.SlicePosition;
import io.clip4stream.model.spec.CheckpointLayout;
import io.clip4stream.model.spec.LinearPatch;
import io.clip4stream.model.spec.ModelSpec;
import io.clip4stream.model.spec.Preprocessing;
import io.clip4stream.model.spec.SimilarityHead;
import io.clip4stream.model.weights.Checkpoint;
import io.clip4stream.model.weights.ModelCard;
import io.clip4stream.model.weights.ModelDirectory;
import io.clip4stream.model.weights.VisualEncoderFingerprint;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * A loaded CLIP4Clip model: the one entry point services use to embed frames, aggregate clips, encode captions and
 * score (caption, clip) pairs with the tight head.
 *
 * <p>Thread-safe: weights are read-only NDArrays and every call works in its own NDManager, closed before the call
 * returns, so concurrent calls neither share nor leak native memory. libtorch parallelises each call internally with
 * {@link ModelOptions#intraOpThreads()} threads.
 *
 * <p>Inputs are what CLIP4Clip's dataloaders produce: frames normalised with CLIP's mean and std, {@code S x S}, RGB,
 * channel-first; token ids from CLIP's BPE with SOT/EOT, zero-padded. A clip with more than T frame embeddings is cut
 * to T with the original's uniform {@code floor(linspace(0, n - 1, T))} selection (2D patch only: with the 3D patch an
 * embedding depends on its neighbours, so frames must be selected before {@link #embedFrames}).
 */
public final class Clip4ClipModel implements AutoCloseable {

    private final ModelSpec spec;
    private final NDManager weights;
    /** Whether the weights live on the CPU, where libtorch's intra-op thread count applies. */
    private final boolean onCpu;

    private final Clip4ClipNetwork network;
    private final ModelOptions options;
    private final ModelCard card;
    private final String visualFingerprint;

    private Clip4ClipModel(
            ModelSpec spec,
            NDManager weights,
            Clip4ClipNetwork network,
            ModelOptions options,
            ModelCard card,
            String visualFingerprint) {
        this.spec = spec;
        this.weights = weights;
        this.network = network;
        this.options = options;
        this.card = card;
        this.visualFingerprint = visualFingerprint;
        this.onCpu = Device.Type.CPU.equals(weights.getDevice().getDeviceType());
    }

    /**
     * Loads the model directory {@code modelDir} (config.json + weights.safetensors).
     *
     * @throws io.clip4stream.model.spec.InvalidCheckpointException listing every missing, unexpected or mis-shaped
     *     tensor
     * @throws ModelLoadException when files cannot be read or the engine cannot start
     */
    public static Clip4ClipModel load(Path modelDir, ModelOptions options) {
        Objects.requireNonNull(options, "options");
        ModelDirectory directory = ModelDirectory.open(modelDir);
        try (Checkpoint checkpoint = directory.openCheckpoint()) {
            return load(checkpoint, directory, options);
        } catch (IOException e) {
            throw new ModelLoadException("cannot read the weights of model directory " + modelDir, e);
        }
    }

    private static Clip4ClipModel load(Checkpoint checkpoint, ModelDirectory directory, ModelOptions options) {
        ModelSpec spec = CheckpointLayout.derive(
                checkpoint.source(), checkpoint.shapes(), checkpoint.nonFloatingPoint(), directory.config());
        Optional<Preprocessing> recorded = spec.config().preprocessing();
        if (recorded.isPresent() && recorded.get().cropSize() != spec.vision().imageSize()) {
            // The frames would reach the network at a size its position embedding does not have.
            throw new ModelLoadException(
                    "config.json of " + directory.root() + " records preprocessing '"
                            + recorded.get().describe() + "', but the weights' input resolution is "
                            + spec.vision().imageSize() + " pixels",
                    null);
        }
        NDManager manager;
        try {
            manager = TorchRuntime.newManager(device(options), options.intraOpThreads());
        } catch (RuntimeException e) {
            throw new ModelLoadException("cannot start the PyTorch engine for " + directory.root(), e);
        }
        try {
            Clip4ClipNetwork network = Clip4ClipNetwork.load(spec, new CheckpointParameters(checkpoint, manager));
            // From here on any array attached to the weights' manager is a leak; capping turns it into an exception.
            manager.cap();
            return new Clip4ClipModel(
                    spec,
                    manager,
                    network,
                    options,
                    ModelCard.read(directory.root()),
                    VisualEncoderFingerprint.of(checkpoint));
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private static Device device(ModelOptions options) {
        return switch (options.device()) {
            case CPU -> Device.cpu();
            case GPU -> Device.gpu();
            case AUTO -> TorchRuntime.preferredDevice();
        };
    }

    /** Returns the model's identity and dimensions. */
    public ModelInfo info() {
        return new ModelInfo(
                spec.config().modelId(),
                spec.config().modelVersion(),
                spec.embedDim(),
                spec.vision().imageSize(),
                spec.config().maxFrames(),
                spec.config().maxWords(),
                spec.config().simHeader(),
                spec.vision().linearPatch(),
                hasTightHead(),
                hasTightHead() && spec.config().isTrained(SimilarityHead.TIGHT_TRANSF),
                network.logitScale(),
                weights.getDevice().toString());
    }

    /**
     * Returns how frames must be prepared for this model: config.json's {@code preprocessing} when recorded, otherwise
     * CLIP's at the model's input resolution.
     */
    public Preprocessing preprocessing() {
        return spec.config()
                .preprocessing()
                .orElseGet(() -> Preprocessing.clip(spec.vision().imageSize()));
    }

    /** Returns what the model directory says about the model (what it knows, trained heads, example queries). */
    public ModelCard card() {
        return card;
    }

    /**
     * The hash of the CLIP visual encoder weights ({@link VisualEncoderFingerprint}): versions that share it embed
     * frames alike.
     */
    public String visualFingerprint() {
        return visualFingerprint;
    }

    /** Returns whether the checkpoint has tightTransf weights, so {@link #tightScores} can be called. */
    public boolean hasTightHead() {
        return network.tightHead().isPresent();
    }

    /**
     * Embeds {@code n} normalised frames ({@code pixelsNCHW} = n x 3 x S x S floats) into n raw frame embeddings of
     * dimension D (CLIP4Clip's {@code visual_output}, not normalised).
     *
     * <p>With the 2D patch frames are independent and are encoded in batches. With the 3D patch a frame's embedding
     * depends on its neighbours, so the n frames must be the consecutive (sampled) frames of one clip, n &lt;= T; they
     * are zero-padded to T as the original dataloader does, so the embeddings equal the original's.
     */
    public float[][] embedFrames(float[] pixelsNCHW, int n) {
        int size = spec.vision().imageSize();
        int frameFloats = 3 * size * size;
        if (n <= 0 || pixelsNCHW.length != (long) n * frameFloats) {
            throw new IllegalArgumentException("expected " + n + " frames of 3x" + size + "x" + size + " = "
                    + ((long) n * frameFloats) + " floats, got " + pixelsNCHW.length);
        }
        if (spec.vision().linearPatch() == LinearPatch.THREE_D) {
            return onThreads(options.intraOpThreads(), () -> embedClipFrames3d(pixelsNCHW, n, frameFloats));
        }
        return onThreads(options.intraOpThreads(), () -> embedFrames2d(pixelsNCHW, n, size, frameFloats));
    }

    private float[][] embedFrames2d(float[] pixelsNCHW, int n, int size, int frameFloats) {
        float[][] embeddings = new float[n][];
        int batch = options.frameBatchSize();
        for (int start = 0; start < n; start += batch) {
            int count = Math.min(batch, n - start);
            try (NDManager scope = weights.newSubManager()) {
                float[] slice = new float[count * frameFloats];
                System.arraycopy(pixelsNCHW, start * frameFloats, slice, 0, slice.length);
                NDArray frames = scope.create(slice, new Shape(count, 3, size, size));
                NDArray out = network.visual().forward(frames, 1).frameEmbeddings();
                copyRows(out, embeddings, start);
            }
        }
        return embeddings;
    }

    private float[][] embedClipFrames3d(float[] pixelsNCHW, int n, int frameFloats) {
        int maxFrames = spec.config().maxFrames();
        if (n > maxFrames) {
            throw new IllegalArgumentException("the 3D patch embeds one clip of at most max_frames = " + maxFrames
                    + " frames per call, got " + n + "; sample the clip first");
        }
        int size = spec.vision().imageSize();
        float[] padded = new float[maxFrames * frameFloats];
        System.arraycopy(pixelsNCHW, 0, padded, 0, pixelsNCHW.length);
        float[][] embeddings = new float[maxFrames][];
        try (NDManager scope = weights.newSubManager()) {
            NDArray frames = scope.create(padded, new Shape(maxFrames, 3, size, size));
            copyRows(network.visual().forward(frames, maxFrames).frameEmbeddings(), embeddings, 0);
        }
        return Arrays.copyOf(embeddings, n);
    }

    /**
     * Aggregates the frame embeddings of one clip (in order; more than T are cut to T uniformly) into its L2-normalised
     * clip vector with the configured head; a tightTransf model has no clip vector of its own and uses meanP
     * (parameter-free) here, for first-stage retrieval before {@link #tightScores}.
     */
    public float[] aggregateClip(float[][] frameEmbeddings) {
        return aggregateClips(new float[][][] {frameEmbeddings})[0];
    }

    /** Aggregates several clips at once (shorter clips are padded and masked as in the original). */
    public float[][] aggregateClips(float[][][] clips) {
        SimilarityHead head =
                spec.config().simHeader().isLoose() ? spec.config().simHeader() : SimilarityHead.MEAN_P;
        return onThreads(options.intraOpThreads(), () -> {
            try (NDManager scope = weights.newSubManager()) {
                PaddedClips padded = PaddedClips.of(
                        selectFrames(clips), spec.embedDim(), spec.config().maxFrames());
                NDArray vectors = network.looseHead(head).aggregate(padded.frames(scope), padded.validFrames(scope));
                return rows(vectors, clips.length);
            }
        });
    }

    /**
     * Encodes one caption's token ids (SOT ... EOT, zero-padded; at most the positional table's length) into its
     * L2-normalised embedding; {@code inputMask} is checked for length only, as the original text encoder ignores it.
     */
    public float[] encodeText(int[] inputIds, int[] inputMask) {
        return encodeTexts(new int[][] {inputIds}, new int[][] {inputMask})[0];
    }

    /** Encodes several captions at once into L2-normalised embeddings. */
    public float[][] encodeTexts(int[][] inputIds, int[][] inputMasks) {
        try (NDManager scope = weights.newSubManager()) {
            NDArray raw = rawTextEmbeddings(scope, inputIds, inputMasks);
            return rows(MaskedMeanPooling.l2Normalise(raw), inputIds.length);
        }
    }

    /**
     * Encodes one caption into its raw EOT embedding (CLIP4Clip's {@code sequence_output}, not normalised): the text
     * input of {@link #tightScores(float[], float[][][])}; {@link #encodeText} is its L2-normalised form. A caller
     * that needs both the first-stage vector and tight scores runs the text tower once with this.
     */
    public float[] encodeTextRaw(int[] inputIds, int[] inputMask) {
        try (NDManager scope = weights.newSubManager()) {
            NDArray raw = rawTextEmbeddings(scope, new int[][] {inputIds}, new int[][] {inputMask});
            return rows(raw, 1)[0];
        }
    }

    /**
     * Scores one caption against K clips (frame embeddings from {@link #embedFrames}, cut to T like
     * {@link #aggregateClip}) with the tightTransf
     * head and returns the K raw logits (higher is more similar; no logit scale).
     *
     * @throws UnsupportedOperationException when the checkpoint has no tightTransf weights
     */
    public float[] tightScores(int[] inputIds, int[] inputMask, float[][][] clipsFrameEmbeddings) {
        TightTransfHead tight = tightHead();
        try (NDManager scope = weights.newSubManager()) {
            NDArray text = rawTextEmbeddings(scope, new int[][] {inputIds}, new int[][] {inputMask});
            return tightScores(tight, scope, text, clipsFrameEmbeddings, options.intraOpThreads());
        }
    }

    /**
     * {@link #tightScores(int[], int[], float[][][])} for a caption already encoded by {@link #encodeTextRaw}, so the
     * text tower does not run again.
     *
     * @throws UnsupportedOperationException when the checkpoint has no tightTransf weights
     */
    public float[] tightScores(float[] rawTextEmbedding, float[][][] clipsFrameEmbeddings) {
        return tightScores(rawTextEmbedding, clipsFrameEmbeddings, options.intraOpThreads());
    }

    /**
     * {@link #tightScores(float[], float[][][])} on {@code intraOpThreads} libtorch threads of the calling thread (a
     * caller scoring parts of the candidates side by side gives each part one).
     *
     * @throws UnsupportedOperationException when the checkpoint has no tightTransf weights
     */
    public float[] tightScores(float[] rawTextEmbedding, float[][][] clipsFrameEmbeddings, int intraOpThreads) {
        if (intraOpThreads < 1) {
            throw new IllegalArgumentException("intra-op threads must be positive; was " + intraOpThreads);
        }
        TightTransfHead tight = tightHead();
        if (rawTextEmbedding.length != spec.embedDim()) {
            throw new IllegalArgumentException(
                    "a raw text embedding has " + spec.embedDim() + " values, got " + rawTextEmbedding.length);
        }
        try (NDManager scope = weights.newSubManager()) {
            NDArray text = scope.create(rawTextEmbedding, new Shape(1, spec.embedDim()));
            return tightScores(tight, scope, text, clipsFrameEmbeddings, intraOpThreads);
        }
    }

    private TightTransfHead tightHead() {
        return network.tightHead()
                .orElseThrow(() -> new UnsupportedOperationException(
                        "model " + spec.config().modelId() + " has no tightTransf weights"
                                + " (cross.*, similarity_dense.*); tight scoring is unavailable"));
    }

    private float[] tightScores(
            TightTransfHead tight, NDManager scope, NDArray text, float[][][] clipsFrameEmbeddings, int threads) {
        PaddedClips padded = PaddedClips.of(
                selectFrames(clipsFrameEmbeddings),
                spec.embedDim(),
                spec.config().maxFrames());
        return onThreads(
                threads,
                () -> tight.score(text, padded.frames(scope), padded.validFrames(scope))
                        .logits()
                        .toFloatArray());
    }

    /** Cuts every clip longer than T to T frames with CLIP4Clip's uniform selection ({@code slice_framepos 2}). */
    private float[][][] selectFrames(float[][][] clips) {
        int maxFrames = spec.config().maxFrames();
        float[][][] selected = clips.clone();
        for (int c = 0; c < clips.length; c++) {
            if (clips[c].length <= maxFrames) {
                continue;
            }
            if (spec.vision().linearPatch() == LinearPatch.THREE_D) {
                throw new IllegalArgumentException("clip " + c + " has " + clips[c].length + " frame embeddings; a 3D"
                        + " patch model needs at most max_frames = " + maxFrames + ", selected before embedding");
            }
            int[] kept = new FrameSelection(maxFrames, SlicePosition.UNIFORM).keptPositions(clips[c].length);
            selected[c] = new float[kept.length][];
            for (int i = 0; i < kept.length; i++) {
                selected[c][i] = clips[c][kept[i]];
            }
        }
        return selected;
    }

    private NDArray rawTextEmbeddings(NDManager scope, int[][] inputIds, int[][] inputMasks) {
        if (inputIds.length == 0 || inputIds.length != inputMasks.length) {
            throw new IllegalArgumentException(
                    inputIds.length + " id sequences but " + inputMasks.length + " masks; need at least one of each");
        }
        int context = spec.text().contextLength();
        int length = 0;
        for (int i = 0; i < inputIds.length; i++) {
            if (inputIds[i].length == 0 || inputIds[i].length > context || inputIds[i].length != inputMasks[i].length) {
                throw new IllegalArgumentException("caption " + i + ": " + inputIds[i].length + " ids and "
                        + inputMasks[i].length + " mask entries; need 1.." + context + " of each, equal");
            }
            length = Math.max(length, inputIds[i].length);
        }
        // Under the causal mask a token sees only those before it, so the EOT output (the only one read here) does not
        // depend on anything after it: the captions are cut after the batch's last EOT, and a shorter caption is
        // zero-padded to that length, which leaves its own EOT output unchanged too. A 10-token caption in a 32-token
        // context costs a third of the blocks' work. (Training and the parity check run the full length: they read
        // every position.)
        int used = 0;
        for (int[] caption : inputIds) {
            used = Math.max(used, firstArgMax(caption) + 1);
        }
        length = used;
        long[][] ids = new long[inputIds.length][length];
        int vocab = spec.text().vocabSize();
        for (int i = 0; i < inputIds.length; i++) {
            for (int j = 0; j < inputIds[i].length; j++) {
                int id = inputIds[i][j];
                if (id < 0 || id >= vocab) {
                    throw new IllegalArgumentException(
                            "caption " + i + " has token id " + id + " outside the vocabulary [0, " + vocab + ")");
                }
                if (j < length) {
                    ids[i][j] = id;
                }
            }
        }
        // A short caption's pass mostly reads the text tower's weights: extra threads wait at every operator's barrier
        // for a thread another busy thread may have delayed (see ModelOptions.SHORT_TEXT_ROWS).
        int threads = inputIds.length * length <= ModelOptions.SHORT_TEXT_ROWS
                ? options.shortTextThreads()
                : options.intraOpThreads();
        return onThreads(threads, () -> network.text().forward(scope, ids).textEmbeddings());
    }

    /**
     * Runs {@code work} on {@code threads} libtorch intra-op threads of the calling thread (on the CPU). Every entry
     * point sets its count: libtorch keeps one per thread, and a thread's first operator takes whichever count another
     * thread set last, which may be a short text pass's.
     */
    private <T> T onThreads(int threads, java.util.function.Supplier<T> work) {
        return onCpu ? TorchRuntime.withIntraOpThreads(threads, work) : work.get();
    }

    /** The first position of the largest id: the EOT token, where CLIP reads a caption's embedding. */
    private static int firstArgMax(int[] ids) {
        int best = 0;
        for (int i = 1; i < ids.length; i++) {
            if (ids[i] > ids[best]) {
                best = i;
            }
        }
        return best;
    }

    private static void copyRows(NDArray matrix, float[][] into, int offset) {
        long rows = matrix.getShape().get(0);
        int dim = (int) matrix.getShape().get(1);
        float[] flat = matrix.toFloatArray();
        for (int r = 0; r < rows && offset + r < into.length; r++) {
            into[offset + r] = Arrays.copyOfRange(flat, r * dim, (r + 1) * dim);
        }
    }

    private static float[][] rows(NDArray matrix, int count) {
        float[][] out = new float[count][];
        copyRows(matrix, out, 0);
        return out;
    }

    /** Counts the native arrays the model holds (weights plus anything a call failed to release), for leak tests. */
    int liveNativeArrays() {
        return weights instanceof BaseNDManager base ? base.getManagedArrays().size() : -1;
    }

    /** Releases the weights' native memory; calls after close fail. */
    @Override
    public void close() {
        weights.close();
    }
}
