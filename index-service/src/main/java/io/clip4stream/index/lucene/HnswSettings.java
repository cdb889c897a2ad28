package io.clip4stream.index.lucene;

import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene104.Lucene104HnswScalarQuantizedVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.util.quantization.QuantizedByteVectorValues.ScalarEncoding;

/**
 * How the HNSW graph is built and searched, in the shape of Lucene's {@code Lucene99HnswVectorsFormat}: documented
 * defaults and limits, validation in the constructor, {@link #toString()} printing every setting.
 *
 * @param maxConn graph neighbours per node (HNSW's M)
 * @param beamWidth candidates considered while inserting a node (efConstruction)
 * @param searchCandidates candidates kept while searching (efSearch); at least k is always used
 * @param quantization how the graph stores vectors; raw floats are always kept as well
 */
public record HnswSettings(int maxConn, int beamWidth, int searchCandidates, Quantization quantization) {

    /** Default M: Lucene's default. */
    public static final int DEFAULT_MAX_CONN = 16;

    /** Lucene's limit on M. */
    public static final int MAXIMUM_MAX_CONN = Lucene99HnswVectorsFormat.MAXIMUM_MAX_CONN;

    /** Default efConstruction: Lucene's default. */
    public static final int DEFAULT_BEAM_WIDTH = 100;

    /** Lucene's limit on efConstruction. */
    public static final int MAXIMUM_BEAM_WIDTH = Lucene99HnswVectorsFormat.MAXIMUM_BEAM_WIDTH;

    /** Default efSearch: measured to give recall@10 >= 0.95 on embedding-like 512-d vectors (see README). */
    public static final int DEFAULT_SEARCH_CANDIDATES = 160;

    /** Upper bound on efSearch, to keep one query's work bounded. */
    public static final int MAXIMUM_SEARCH_CANDIDATES = 10_000;

    /** How vectors are stored in the graph. */
    public enum Quantization {
        /** 32-bit floats ({@code Lucene99HnswVectorsFormat}). */
        FLOAT32(null),
        /** 8-bit scalar quantization. */
        INT8(ScalarEncoding.UNSIGNED_BYTE),
        /** 7-bit scalar quantization. */
        INT7(ScalarEncoding.SEVEN_BIT),
        /** 4-bit scalar quantization. */
        INT4(ScalarEncoding.PACKED_NIBBLE),
        /** 2-bit quantization with 4-bit queries. */
        BIT2(ScalarEncoding.DIBIT_QUERY_NIBBLE),
        /**
         * 1-bit quantization with 4-bit queries: Lucene 10.4+'s successor of {@code Lucene102HnswBinaryQuantized
         * VectorsFormat} (BBQ), which Lucene 10.6's core no longer has.
         */
        BIT1(ScalarEncoding.SINGLE_BIT_QUERY_NIBBLE);

        private final ScalarEncoding encoding;

        Quantization(ScalarEncoding encoding) {
            this.encoding = encoding;
        }

        /** Parses a name such as {@code float32} or {@code int8}, case-insensitively. */
        public static Quantization parse(String text) {
            try {
                return valueOf(text.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "unknown quantization '" + text + "', expected float32, int8, int7, int4, bit2 or bit1", e);
            }
        }
    }

    /** Validates the settings. */
    public HnswSettings {
        Objects.requireNonNull(quantization, "quantization");
        if (maxConn < 1 || maxConn > MAXIMUM_MAX_CONN) {
            throw new IllegalArgumentException("maxConn must be in [1, " + MAXIMUM_MAX_CONN + "]; was " + maxConn);
        }
        if (beamWidth < 1 || beamWidth > MAXIMUM_BEAM_WIDTH) {
            throw new IllegalArgumentException(
                    "beamWidth must be in [1, " + MAXIMUM_BEAM_WIDTH + "]; was " + beamWidth);
        }
        if (searchCandidates < 1 || searchCandidates > MAXIMUM_SEARCH_CANDIDATES) {
            throw new IllegalArgumentException(
                    "searchCandidates must be in [1, " + MAXIMUM_SEARCH_CANDIDATES + "]; was " + searchCandidates);
        }
    }

    /** The defaults: float vectors, M 16, efConstruction 100, efSearch 160. */
    public static HnswSettings defaults() {
        return new HnswSettings(DEFAULT_MAX_CONN, DEFAULT_BEAM_WIDTH, DEFAULT_SEARCH_CANDIDATES, Quantization.FLOAT32);
    }

    /** A copy with another quantization. */
    public HnswSettings withQuantization(Quantization value) {
        return new HnswSettings(maxConn, beamWidth, searchCandidates, value);
    }

    /** A copy with another efSearch. */
    public HnswSettings withSearchCandidates(int value) {
        return new HnswSettings(maxConn, beamWidth, value, quantization);
    }

    /** The Lucene vector format these settings describe, merging each graph on one thread. */
    public KnnVectorsFormat format() {
        return format(1, null);
    }

    /**
     * The Lucene vector format these settings describe, building a merged segment's graph on {@code mergeWorkers}
     * threads of {@code mergeExecutor} (which must be {@code null} for one worker).
     */
    public KnnVectorsFormat format(int mergeWorkers, ExecutorService mergeExecutor) {
        return quantization == Quantization.FLOAT32
                ? new Lucene99HnswVectorsFormat(maxConn, beamWidth, mergeWorkers, mergeExecutor)
                : new Lucene104HnswScalarQuantizedVectorsFormat(
                        quantization.encoding, maxConn, beamWidth, mergeWorkers, mergeExecutor);
    }

    @Override
    public String toString() {
        return "HnswSettings(maxConn=" + maxConn + ", beamWidth=" + beamWidth + ", searchCandidates=" + searchCandidates
                + ", quantization=" + quantization.name().toLowerCase(Locale.ROOT) + ")";
    }
}
