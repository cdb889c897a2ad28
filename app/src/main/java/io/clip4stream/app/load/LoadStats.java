package io.clip4stream.app.load;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What one phase of load measured: requests sent and how they ended, latency percentiles of the successful ones, and
 * the slowest {@code /health} answer while it ran.
 *
 * @param phase name of the phase
 * @param seconds how long requests were sent
 * @param requests searches sent
 * @param ok searches answered 200
 * @param rejected503 searches refused with 503 (model saturated, index unavailable, shutting down)
 * @param errors searches that failed otherwise (other status, connection error, no answer in time)
 * @param p50Millis median latency of the 200 answers
 * @param p99Millis 99th percentile latency of the 200 answers
 * @param healthProbes {@code /health} requests made during the phase
 * @param healthFailures probes that did not answer 200
 * @param healthMaxMillis slowest probe
 */
public record LoadStats(
        String phase,
        double seconds,
        long requests,
        long ok,
        long rejected503,
        long errors,
        double p50Millis,
        double p99Millis,
        long healthProbes,
        long healthFailures,
        double healthMaxMillis) {

    /** Answers per second, of any kind. */
    public double throughputPerSecond() {
        return seconds > 0 ? (ok + rejected503) / seconds : 0;
    }

    /** The {@code q}-quantile (0..1) of {@code values} by the nearest-rank method; 0 for none. */
    public static double percentile(List<Double> values, double q) {
        if (values.isEmpty()) {
            return 0;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int rank = (int) Math.ceil(q * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }
}
