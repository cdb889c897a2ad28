package io.clip4stream.alert.match;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A small summary of one standing query's recent scores: the last {@link #CAPACITY} scores, and exponentially
 * weighted mean and variance over about {@link #WINDOW} clips. Rare-event thresholds ("top 1 in 7,200") lie beyond
 * what a few hundred samples can show, so those come from a normal tail fitted to the weighted moments; common ones
 * come straight from the recent scores.
 *
 * <p>Mutable: one sketch per query, owned by one stream task and written to its state store now and then.
 */
public final class ScoreSketch {
    /** Recent scores kept for empirical quantiles. */
    public static final int CAPACITY = 256;

    /** Clips the weighted moments remember, roughly: a day of 12-second clips. */
    public static final int WINDOW = 7_200;

    /** Scores needed before a rate threshold is trusted; until then a rate rule does not fire. */
    public static final int MIN_SAMPLES = 32;

    // The empirical quantile is used when at least this many recent scores lie above it.
    private static final int EMPIRICAL_TAIL = 5;

    // Sorting the recent scores for every clip of every query would cost more than the scoring itself: a rate
    // threshold is recomputed once every this many scores.
    private static final int RECALIBRATE_EVERY = 16;

    private final float[] recent;
    private double cachedFraction = Double.NaN;
    private double cachedThreshold;
    private long cachedAt = -1;
    private long count;
    private double mean;
    private double variance;
    private double meanClipSeconds;

    /** An empty sketch. */
    public ScoreSketch() {
        this(new float[CAPACITY], 0, 0, 0, 0);
    }

    private ScoreSketch(float[] recent, long count, double mean, double variance, double meanClipSeconds) {
        this.recent = recent;
        this.count = count;
        this.mean = mean;
        this.variance = variance;
        this.meanClipSeconds = meanClipSeconds;
    }

    /** Adds the score of one clip lasting {@code clipSeconds}. */
    public void add(double score, double clipSeconds) {
        recent[(int) (count % CAPACITY)] = (float) score;
        count++;
        double alpha = 1.0 / Math.min(count, WINDOW);
        double delta = score - mean;
        mean += alpha * delta;
        // West's weighted incremental variance; equals the population variance while count <= WINDOW.
        variance = (1 - alpha) * (variance + alpha * delta * delta);
        meanClipSeconds += alpha * (clipSeconds - meanClipSeconds);
    }

    /** Scores added so far. */
    public long count() {
        return count;
    }

    /** Whether enough scores were seen to calibrate a rate. */
    public boolean calibrated() {
        return count >= MIN_SAMPLES;
    }

    /** Weighted mean score. */
    public double mean() {
        return mean;
    }

    /** Weighted standard deviation of the scores. */
    public double standardDeviation() {
        return Math.sqrt(Math.max(variance, 0));
    }

    /** Weighted mean clip length in seconds. */
    public double meanClipSeconds() {
        return meanClipSeconds;
    }

    /** The score that a fraction {@code p} of clips reach or exceed; NaN while empty. */
    public double upperQuantile(double p) {
        if (count == 0) {
            return Double.NaN;
        }
        if (p <= 0) {
            return Double.POSITIVE_INFINITY;
        }
        float[] sorted = sortedRecent();
        int above = (int) Math.ceil(p * sorted.length);
        if (above >= EMPIRICAL_TAIL || above >= sorted.length) {
            return sorted[sorted.length - Math.min(above, sorted.length)];
        }
        return mean + NormalQuantile.of(1 - p) * standardDeviation();
    }

    /**
     * {@link #upperQuantile(double)}, recomputed only when {@code p} moves by a tenth or {@value #RECALIBRATE_EVERY} scores
     * were added since.
     */
    public double cachedUpperQuantile(double p) {
        if (cachedAt < 0
                || count - cachedAt >= RECALIBRATE_EVERY
                || Math.abs(p - cachedFraction) > 0.1 * cachedFraction) {
            cachedThreshold = upperQuantile(p);
            cachedFraction = p;
            cachedAt = count;
        }
        return cachedThreshold;
    }

    /** Empirical quantiles {@code qs} (each in [0, 1]) of the recent scores; NaN each while empty. */
    public double[] recentQuantiles(double... qs) {
        float[] sorted = sortedRecent();
        double[] out = new double[qs.length];
        for (int i = 0; i < qs.length; i++) {
            out[i] = sorted.length == 0
                    ? Double.NaN
                    : sorted[(int) Math.min(sorted.length - 1, Math.floor(qs[i] * sorted.length))];
        }
        return out;
    }

    private float[] sortedRecent() {
        float[] sorted = Arrays.copyOf(recent, (int) Math.min(count, CAPACITY));
        Arrays.sort(sorted);
        return sorted;
    }

    /** The sketch as bytes for a state store. */
    public byte[] toBytes() {
        ByteBuffer buffer = ByteBuffer.allocate(4 + CAPACITY * 4 + 8 + 3 * 8);
        buffer.putInt(CAPACITY);
        for (float score : recent) {
            buffer.putFloat(score);
        }
        buffer.putLong(count).putDouble(mean).putDouble(variance).putDouble(meanClipSeconds);
        return buffer.array();
    }

    /** A sketch read back from {@link #toBytes()}. */
    public static ScoreSketch fromBytes(byte[] bytes) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        int capacity = buffer.getInt();
        if (capacity != CAPACITY || bytes.length != 4 + capacity * 4 + 32) {
            throw new IllegalArgumentException("not a score sketch of capacity " + CAPACITY + ": " + bytes.length
                    + " bytes, capacity " + capacity);
        }
        float[] recent = new float[capacity];
        for (int i = 0; i < capacity; i++) {
            recent[i] = buffer.getFloat();
        }
        return new ScoreSketch(recent, buffer.getLong(), buffer.getDouble(), buffer.getDouble(), buffer.getDouble());
    }
}
