package io.clip4stream.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.clip4stream.model.nn.LooseHead;
import io.clip4stream.model.nn.MaskedMeanPooling;
import io.clip4stream.model.nn.MeanPHead;
import io.clip4stream.model.nn.SeqLstmHead;
import io.clip4stream.model.nn.SeqTransfHead;
import io.clip4stream.model.nn.TextEncoder;
import io.clip4stream.model.nn.TightTransfHead;
import io.clip4stream.model.nn.VisualEncoder;
import io.clip4stream.model.spec.ModelSpec;
import io.clip4stream.model.spec.SimilarityHead;
import io.clip4stream.model.weights.Checkpoint;
import io.clip4stream.model.weights.TensorData;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The part of CLIP4Clip one training run uses, with its parameters as live arrays: the two CLIP encoders (unless the
 * batches are cached embeddings), one similarity head and the logit scale.
 *
 * <p>Only what the chosen head's forward pass reads is bound, so the bound parameters are exactly those that get a
 * gradient, as in the original where a parameter outside the graph keeps {@code grad = None} and is never stepped (the
 * seqLSTM model's unused {@code frame_position_embeddings}, the tight model's {@code logit_scale}). Every other tensor of
 * the checkpoint is carried unchanged into {@link #tensors}.
 */
public final class TrainableModel implements AutoCloseable {

    /** The original's dropout on the tight head's cross embeddings in training ({@code hidden_dropout_prob}). */
    public static final float CROSS_EMBEDDING_DROPOUT = 0.1f;

    private static final String LOGIT_SCALE = "clip.logit_scale";

    private final ModelSpec spec;
    private final SimilarityHead head;
    private final NDManager manager;
    private final Map<String, NDArray> parameters;
    private final Set<String> trainable;
    private final VisualEncoder visual;
    private final TextEncoder text;
    private final LooseHead loose;
    private final TightTransfHead tight;
    private final NDArray logitScale;

    private TrainableModel(Binder binder, ModelSpec spec, SimilarityHead head, boolean encoders) {
        this.spec = spec;
        this.head = head;
        this.manager = binder.manager;
        this.visual = encoders ? VisualEncoder.load(binder, spec.vision()) : null;
        this.text = encoders ? TextEncoder.load(binder, spec.text()) : null;
        this.loose = switch (head) {
            case MEAN_P -> new MeanPHead();
            case SEQ_LSTM -> SeqLstmHead.load(binder);
            case SEQ_TRANSF ->
                SeqTransfHead.load(binder, spec.heads().seqTransf().orElseThrow());
            case TIGHT_TRANSF -> null;
        };
        this.tight = head == SimilarityHead.TIGHT_TRANSF
                ? TightTransfHead.load(binder, spec.heads().tightTransf().orElseThrow())
                : null;
        this.logitScale = head == SimilarityHead.TIGHT_TRANSF ? null : binder.tensor(LOGIT_SCALE);
        this.parameters = Collections.unmodifiableMap(binder.bound);
        this.trainable = Collections.unmodifiableSet(binder.trainable);
    }

    /**
     * Binds the parameters that training {@code head} reads from {@code checkpoint} into a sub-manager of {@code
     * parent}, marking those {@code freeze} lets train; with {@code encoders} false the batches must be cached
     * embeddings and CLIP must be frozen.
     */
    public static TrainableModel bind(
            Checkpoint checkpoint,
            ModelSpec spec,
            SimilarityHead head,
            FreezeRule freeze,
            boolean encoders,
            NDManager parent) {
        Objects.requireNonNull(freeze, "freeze");
        if (!encoders && !freeze.clipFrozen()) {
            throw new IllegalArgumentException("training on cached embeddings needs CLIP frozen (--freeze-clip):"
                    + " the embeddings of a CLIP that learns change every step");
        }
        if (!spec.heads().has(head)) {
            throw new IllegalArgumentException("the checkpoint has no weights for head " + head.configName()
                    + " (available: " + spec.heads().available() + "); initialise them first");
        }
        NDManager manager = parent.newSubManager();
        try {
            return new TrainableModel(new Binder(checkpoint, freeze, spec, manager), spec, head, encoders);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** Returns the spec. */
    public ModelSpec spec() {
        return spec;
    }

    /** Returns the head being trained. */
    public SimilarityHead head() {
        return head;
    }

    /** Returns the bound parameters by name, in binding order (the live arrays). */
    public Map<String, NDArray> parameters() {
        return parameters;
    }

    /** Returns the names of the bound parameters that train. */
    public Set<String> trainable() {
        return trainable;
    }

    /** Returns the manager owning the parameters; per-step scopes are its sub-managers. */
    public NDManager manager() {
        return manager;
    }

    /**
     * Returns the similarity matrix {@code [B, B]} of a batch (texts as rows): {@code exp(logit_scale) · cos} for a
     * loose head, the cross head's logits for tightTransf, with the tight head's dropout when {@code training}.
     */
    public NDArray similarity(TrainingBatch batch, NDManager scope, boolean training) {
        int size = batch.size();
        int frames = batch.frames();
        NDArray valid = scope.create(batch.validFrames(), new Shape(size, frames));
        NDArray frameEmbeddings;
        NDArray texts;
        switch (batch) {
            case TrainingBatch.Pixels pixels -> {
                if (visual == null) {
                    throw new IllegalStateException("this model was bound without encoders; give it embeddings");
                }
                int s = pixels.imageSize();
                NDArray input = scope.create(pixels.pixels(), new Shape((long) size * frames, 3, s, s));
                frameEmbeddings =
                        visual.forward(input, frames).frameEmbeddings().reshape(size, frames, -1);
                texts = text.forward(scope, pixels.tokenIds()).textEmbeddings();
            }
            case TrainingBatch.Embeddings cached -> {
                frameEmbeddings = scope.create(cached.frameEmbeddings(), new Shape(size, frames, cached.dim()));
                texts = scope.create(cached.textEmbeddings(), new Shape(size, cached.dim()));
            }
        }
        return similarity(texts, frameEmbeddings, valid, training);
    }

    /**
     * Returns the similarity of raw caption embeddings {@code texts} {@code [Bt, D]} against raw frame embeddings
     * {@code frames} {@code [Bv, T, D]} under {@code valid} {@code [Bv, T]}.
     */
    public NDArray similarity(NDArray texts, NDArray frames, NDArray valid, boolean training) {
        if (tight != null) {
            return tight.trainingLogits(texts, frames, valid, training ? CROSS_EMBEDDING_DROPOUT : 0f);
        }
        NDArray vectors = loose.aggregate(frames, valid);
        NDArray cosine = MaskedMeanPooling.l2Normalise(texts).matMul(vectors.transpose());
        // The scale is computed from a parameter, so DJL would attach it (and everything computed from it: the
        // similarity, the loss, their autograd graph) to the parameters' manager, which lives for the whole run.
        NDArray scale = logitScale.exp();
        scale.attach(cosine.getManager());
        return cosine.mul(scale);
    }

    /** Returns the frame encoder when bound. */
    public VisualEncoder visual() {
        if (visual == null) {
            throw new IllegalStateException("this model was bound without encoders");
        }
        return visual;
    }

    /** Returns the caption encoder when bound. */
    public TextEncoder text() {
        if (text == null) {
            throw new IllegalStateException("this model was bound without encoders");
        }
        return text;
    }

    /**
     * Returns every tensor of {@code checkpoint} for a model directory: the bound ones as trained, the rest as they
     * were; {@code clip.logit_scale} is clamped to {@code logitScaleMax} as the original clamps it after every step.
     */
    public Map<String, TensorData> tensors(Checkpoint checkpoint, double logitScaleMax) {
        Map<String, TensorData> out = new LinkedHashMap<>();
        for (String name : checkpoint.shapes().keySet()) {
            if (checkpoint.nonFloatingPoint().contains(name)) {
                continue;
            }
            NDArray bound = parameters.get(name);
            float[] values = bound != null ? bound.toFloatArray() : checkpoint.floats(name);
            if (name.equals(LOGIT_SCALE) && values[0] > (float) logitScaleMax) {
                values[0] = (float) logitScaleMax;
            }
            out.put(name, TensorData.f32(checkpoint.info(name).shape(), values));
        }
        return out;
    }

    /** Clamps {@code clip.logit_scale} to at most {@code max} in place, when it is bound. */
    public void clampLogitScale(double max) {
        if (logitScale == null) {
            return;
        }
        float limit = (float) max;
        if (logitScale.getFloat() > limit) {
            try (NDArray data = logitScale.stopGradient()) {
                data.muli(0f).addi(limit);
            }
        }
    }

    @Override
    public void close() {
        manager.close();
    }

    /** Hands out each parameter once, as a live float32 array, recording what the network bound. */
    private static final class Binder implements io.clip4stream.model.nn.ParameterSource {
        private final Checkpoint checkpoint;
        private final FreezeRule freeze;
        private final ModelSpec spec;
        private final NDManager manager;
        private final Map<String, NDArray> bound = new LinkedHashMap<>();
        private final Set<String> trainable = new LinkedHashSet<>();

        Binder(Checkpoint checkpoint, FreezeRule freeze, ModelSpec spec, NDManager manager) {
            this.checkpoint = checkpoint;
            this.freeze = freeze;
            this.spec = spec;
            this.manager = manager;
        }

        @Override
        public boolean forTraining() {
            return true;
        }

        @Override
        public NDArray tensor(String name) {
            return bound.computeIfAbsent(name, n -> {
                NDArray array = manager.create(
                        checkpoint.floats(n), new Shape(checkpoint.info(n).shape()));
                array.setName(n);
                if (freeze.isTrainable(n, spec.vision().linearPatch())) {
                    array.setRequiresGradient(true);
                    trainable.add(n);
                }
                return array;
            });
        }
    }
}
