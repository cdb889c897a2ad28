package io.clip4stream.model.spec;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The four CLIP4Clip similarity calculators ({@code --sim_header}). */
public enum SimilarityHead {
    /** Parameter-free mean pooling of L2-normalised frame embeddings. */
    MEAN_P("meanP", true),
    /** An LSTM over the valid frames plus a residual, then mean pooling. */
    SEQ_LSTM("seqLSTM", true),
    /** A transformer over the frames (with frame positions) plus a residual, then mean pooling. */
    SEQ_TRANSF("seqTransf", true),
    /** A cross transformer over [text; frames] per (text, clip) pair that outputs a raw logit. */
    TIGHT_TRANSF("tightTransf", false);

    private final String configName;
    private final boolean loose;

    SimilarityHead(String configName, boolean loose) {
        this.configName = configName;
        this.loose = loose;
    }

    /** Returns the name used in config.json and on the CLIP4Clip command line. */
    public String configName() {
        return configName;
    }

    /** Returns whether the head produces a clip vector compared to the text by cosine (CLIP4Clip's loose type). */
    public boolean isLoose() {
        return loose;
    }

    /** Parses a config.json value such as {@code meanP}. */
    public static SimilarityHead fromConfigName(String name) {
        for (SimilarityHead head : values()) {
            if (head.configName.equals(name)) {
                return head;
            }
        }
        throw new IllegalArgumentException("unknown sim_header '" + name + "', expected one of "
                + Arrays.stream(values()).map(SimilarityHead::configName).collect(Collectors.joining(", ")));
    }
}
