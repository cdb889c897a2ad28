package io.clip4stream.model.nn;

import ai.djl.ndarray.NDArray;

/** meanP: no temporal module, only {@link MaskedMeanPooling}. */
public final class MeanPHead implements LooseHead {

    /** Creates the parameter-free head. */
    public MeanPHead() {
        // meanP has no weights.
    }

    @Override
    public NDArray aggregate(NDArray frames, NDArray validFrames) {
        return MaskedMeanPooling.pool(frames, validFrames);
    }
}
