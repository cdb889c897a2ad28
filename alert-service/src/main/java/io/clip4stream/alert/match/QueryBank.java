package io.clip4stream.alert.match;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Every standing query of one model as one row-major matrix, so scoring a clip against all of them is one
 * matrix-vector product over contiguous memory rather than thousands of scattered dot products.
 *
 * <p>Immutable: a change to the standing queries builds a new bank.
 */
public final class QueryBank {
    private static final QueryBank EMPTY = new QueryBank(List.of(), new float[0], 0);

    private final List<WatchedQuery> queries;
    private final float[] matrix;
    private final int dim;
    private final Map<String, Integer> rows;

    private QueryBank(List<WatchedQuery> queries, float[] matrix, int dim) {
        this.queries = queries;
        this.matrix = matrix;
        this.dim = dim;
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < queries.size(); i++) {
            index.put(queries.get(i).queryId(), i);
        }
        this.rows = Map.copyOf(index);
    }

    /** A bank of no queries. */
    public static QueryBank empty() {
        return EMPTY;
    }

    /** A bank of {@code queries}, whose vectors must all have one width. */
    public static QueryBank of(List<WatchedQuery> queries) {
        if (queries.isEmpty()) {
            return EMPTY;
        }
        int dim = queries.getFirst().vector().length;
        float[] matrix = new float[queries.size() * dim];
        for (int i = 0; i < queries.size(); i++) {
            float[] vector = queries.get(i).vector();
            if (vector.length != dim) {
                throw new IllegalArgumentException(
                        "standing query " + queries.get(i).queryId() + " has a " + vector.length
                                + "-wide vector; the others are " + dim + " wide");
            }
            System.arraycopy(vector, 0, matrix, i * dim, dim);
        }
        return new QueryBank(List.copyOf(queries), matrix, dim);
    }

    /** The queries, in row order. */
    public List<WatchedQuery> queries() {
        return queries;
    }

    /** Number of queries. */
    public int size() {
        return queries.size();
    }

    /** Width of the vectors; 0 when empty. */
    public int dim() {
        return dim;
    }

    /** The row of {@code queryId}, if the bank has it. */
    public OptionalInt row(String queryId) {
        Integer row = rows.get(queryId);
        return row == null ? OptionalInt.empty() : OptionalInt.of(row);
    }

    /** The cosine of {@code clip} (unit length) with every query, in row order. */
    public float[] scores(float[] clip) {
        float[] out = new float[queries.size()];
        scoreInto(clip, out);
        return out;
    }

    /** Writes the cosine of {@code clip} with every query into {@code out}. */
    public void scoreInto(float[] clip, float[] out) {
        if (queries.isEmpty()) {
            return;
        }
        if (clip.length != dim) {
            throw new IllegalArgumentException(
                    "clip vector is " + clip.length + " wide; the standing queries are " + dim + " wide");
        }
        MatrixVector.multiply(matrix, queries.size(), dim, clip, out);
    }
}
