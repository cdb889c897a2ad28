package io.clip4stream.model.nn;

import ai.djl.ndarray.NDArray;
import io.clip4stream.model.spec.ModelSpec;
import io.clip4stream.model.spec.SimilarityHead;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * The whole CLIP4Clip network: the two CLIP towers, every similarity head the checkpoint supports, and the logit scale.
 *
 * <p>Stateless after construction: weights are read-only, so concurrent forward calls (each with its own per-call
 * NDManager) are safe.
 */
public final class Clip4ClipNetwork {

    private final ModelSpec spec;
    private final VisualEncoder visual;
    private final TextEncoder text;
    private final Map<SimilarityHead, LooseHead> looseHeads;
    private final Optional<TightTransfHead> tightHead;
    private final float logitScale;

    /** Creates the network from its parts. */
    public Clip4ClipNetwork(
            ModelSpec spec,
            VisualEncoder visual,
            TextEncoder text,
            Map<SimilarityHead, LooseHead> looseHeads,
            Optional<TightTransfHead> tightHead,
            float logitScale) {
        this.spec = spec;
        this.visual = visual;
        this.text = text;
        this.looseHeads = Map.copyOf(looseHeads);
        this.tightHead = tightHead;
        this.logitScale = logitScale;
    }

    /** Binds every weight the spec needs, including every head whose weights are present. */
    public static Clip4ClipNetwork load(ModelSpec spec, ParameterSource weights) {
        Map<SimilarityHead, LooseHead> loose = new EnumMap<>(SimilarityHead.class);
        loose.put(SimilarityHead.MEAN_P, new MeanPHead());
        spec.heads().seqLstm().ifPresent(lstm -> loose.put(SimilarityHead.SEQ_LSTM, SeqLstmHead.load(weights)));
        spec.heads()
                .seqTransf()
                .ifPresent(transf -> loose.put(SimilarityHead.SEQ_TRANSF, SeqTransfHead.load(weights, transf)));
        Optional<TightTransfHead> tight =
                spec.heads().tightTransf().map(tightSpec -> TightTransfHead.load(weights, tightSpec));
        NDArray scale = weights.tensor("clip.logit_scale");
        float logitScale = scale.toFloatArray()[0];
        scale.close();
        return new Clip4ClipNetwork(
                spec,
                VisualEncoder.load(weights, spec.vision()),
                TextEncoder.load(weights, spec.text()),
                loose,
                tight,
                logitScale);
    }

    /** Returns the spec the network was built from. */
    public ModelSpec spec() {
        return spec;
    }

    /** Returns the frame encoder. */
    public VisualEncoder visual() {
        return visual;
    }

    /** Returns the caption encoder. */
    public TextEncoder text() {
        return text;
    }

    /** Returns the loose head {@code head} (meanP always; seqLSTM / seqTransf when their weights are present). */
    public LooseHead looseHead(SimilarityHead head) {
        LooseHead loose = looseHeads.get(head);
        if (loose == null) {
            throw new IllegalArgumentException("head " + head.configName() + " is not a loose head of this checkpoint"
                    + " (available: " + looseHeads.keySet() + ")");
        }
        return loose;
    }

    /** Returns the tight head when the checkpoint has its weights. */
    public Optional<TightTransfHead> tightHead() {
        return tightHead;
    }

    /** Returns {@code clip.logit_scale} as stored (the similarity multiplier is its exponential). */
    public float logitScale() {
        return logitScale;
    }

    /**
     * Returns the loose similarity {@code exp(logit_scale) · cos}: {@code texts} {@code [Bt, D]} raw EOT embeddings,
     * {@code clipVectors} {@code [Bv, D]} L2-normalised; rows are texts.
     */
    public NDArray looseSimilarity(NDArray texts, NDArray clipVectors) {
        NDArray scale = texts.getManager().create(logitScale).exp();
        return scale.mul(MaskedMeanPooling.l2Normalise(texts).matMul(clipVectors.transpose()));
    }
}
