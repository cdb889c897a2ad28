package io.clip4stream.query.fanout;

import java.util.List;

/**
 * How one instance took part in a search, returned to the client so partial answers are visible.
 *
 * @param instance the instance's base URI
 * @param partitions the partitions it covers
 * @param status {@code ok}, {@code timeout} or {@code failed}
 * @param candidates candidates it contributed
 * @param millis how long it took (up to the timeout)
 * @param error why it failed (null when ok)
 */
public record ShardReport(
        String instance, List<Integer> partitions, String status, int candidates, long millis, String error) {

    /** The instance answered. */
    public static final String OK = "ok";

    /** The instance did not answer within the per-shard timeout. */
    public static final String TIMEOUT = "timeout";

    /** The instance was unreachable or answered with an error. */
    public static final String FAILED = "failed";

    /** Copies the partitions. */
    public ShardReport {
        partitions = List.copyOf(partitions);
    }

    /** Whether the instance contributed its answer. */
    public boolean answered() {
        return OK.equals(status);
    }
}
