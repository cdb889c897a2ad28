package io.clip4stream.index.lucene;

import java.util.AbstractList;
import java.util.RandomAccess;

/**
 * A read-only {@code List<Float>} over a {@code float[]}, boxing on access: a hit's vector and frame embeddings are
 * decoded in bulk and most of them are only ever iterated once (into a JSON response), so boxing them up front into
 * lists is wasted work on the query path.
 */
final class FloatArrayView extends AbstractList<Float> implements RandomAccess {

    private final float[] values;

    FloatArrayView(float[] values) {
        this.values = values;
    }

    @Override
    public Float get(int index) {
        return values[index];
    }

    @Override
    public int size() {
        return values.length;
    }
}
