package io.clip4stream.index.rebuild;

/**
 * How far one shard has built one model version: of the {@code total} clips the shard holds under versions sharing its
 * visual encoder, {@code held} are stored under the version.
 *
 * @param held clips stored under the version
 * @param total clips the version should hold
 */
public record ShardProgress(long held, long total) {

    /** Validates the counts. */
    public ShardProgress {
        if (held < 0 || total < 0 || held > total) {
            throw new IllegalArgumentException("progress must satisfy 0 <= held <= total; was " + held + "/" + total);
        }
    }

    /** Whether every clip is stored under the version. */
    public boolean complete() {
        return held == total;
    }

    /** Clips still to build. */
    public long remaining() {
        return total - held;
    }
}
