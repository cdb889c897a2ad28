package io.clip4stream.model.spec;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The similarity heads a checkpoint supports: the configured one plus any other head whose weights are all present.
 *
 * @param configured the head named in config.json ({@code sim_header}); its weights are always present
 * @param seqLstm the seqLSTM module when its weights are present
 * @param seqTransf the seqTransf module when its weights are present
 * @param tightTransf the tightTransf cross encoder when its weights are present
 */
public record HeadSpec(
        SimilarityHead configured,
        Optional<SeqLstmSpec> seqLstm,
        Optional<SeqTransfSpec> seqTransf,
        Optional<TightTransfSpec> tightTransf) {

    /** Validates that the configured head's weights are present. */
    public HeadSpec {
        Objects.requireNonNull(configured, "configured");
        Objects.requireNonNull(seqLstm, "seqLstm");
        Objects.requireNonNull(seqTransf, "seqTransf");
        Objects.requireNonNull(tightTransf, "tightTransf");
        if (!availableIn(configured, seqLstm, seqTransf, tightTransf)) {
            throw new IllegalArgumentException("configured head " + configured.configName() + " has no weights");
        }
    }

    /** Returns whether {@code head} can be run with this checkpoint (meanP always can). */
    public boolean has(SimilarityHead head) {
        return availableIn(head, seqLstm, seqTransf, tightTransf);
    }

    /** Returns every head that can be run with this checkpoint. */
    public Set<SimilarityHead> available() {
        Set<SimilarityHead> heads = EnumSet.noneOf(SimilarityHead.class);
        for (SimilarityHead head : SimilarityHead.values()) {
            if (has(head)) {
                heads.add(head);
            }
        }
        return heads;
    }

    private static boolean availableIn(
            SimilarityHead head,
            Optional<SeqLstmSpec> seqLstm,
            Optional<SeqTransfSpec> seqTransf,
            Optional<TightTransfSpec> tightTransf) {
        return switch (head) {
            case MEAN_P -> true;
            case SEQ_LSTM -> seqLstm.isPresent();
            case SEQ_TRANSF -> seqTransf.isPresent();
            case TIGHT_TRANSF -> tightTransf.isPresent();
        };
    }
}
