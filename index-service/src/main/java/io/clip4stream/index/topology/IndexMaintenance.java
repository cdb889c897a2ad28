package io.clip4stream.index.topology;

import io.clip4stream.index.store.ClipVectorStore;
import io.clip4stream.index.store.Removal;
import io.clip4stream.index.store.RemovalBudget;
import io.clip4stream.index.store.SourceSpan;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Decides what a shard removes on each maintenance tick, off the record path: deleted sources (all their clips) and,
 * every retention check interval, the clips of each source that ended more than the retention before its newest clip.
 * Everything due goes to the store in one {@link ClipVectorStore#remove} pass under a {@link RemovalBudget}; a pass cut
 * short by its budget leaves the rest due, and the next tick goes on where it stopped.
 *
 * <p>It is plain logic over a store, driven by the clip indexer's wall-clock punctuation (and by tests directly).
 */
public final class IndexMaintenance {

    private final ClipVectorStore store;
    private final long keepMicros;
    private final Duration retentionCheck;
    private final RemovalBudget budget;
    private final Set<String> deletions = new LinkedHashSet<>();
    private Map<String, Long> round = Map.of();
    private Set<String> roundDeletions = Set.of();
    private long nextRetentionAtMillis;

    /**
     * Maintenance of {@code store}; a zero {@code retention} keeps every clip, otherwise retention is first applied
     * {@code retentionCheck} after {@code nowMillis}.
     */
    public IndexMaintenance(
            ClipVectorStore store, Duration retention, Duration retentionCheck, RemovalBudget budget, long nowMillis) {
        this.store = Objects.requireNonNull(store, "store");
        Objects.requireNonNull(retention, "retention");
        this.keepMicros =
                retention.isZero() ? 0 : retention.get(ChronoUnit.SECONDS) * 1_000_000L + retention.getNano() / 1_000L;
        this.retentionCheck = Objects.requireNonNull(retentionCheck, "retentionCheck");
        this.budget = Objects.requireNonNull(budget, "budget");
        this.nextRetentionAtMillis = nowMillis + retentionCheck.toMillis();
    }

    /** Marks every clip of {@code sourceId} for removal by the next ticks. */
    public void deleteSource(String sourceId) {
        deletions.add(Objects.requireNonNull(sourceId, "sourceId"));
    }

    /** The sources whose deletion is not finished yet. */
    public Set<String> pendingDeletions() {
        return Set.copyOf(deletions);
    }

    /**
     * Runs at most one removal pass for everything due at {@code nowMillis} and returns what it removed; no pass (and
     * no store work at all) when nothing is due.
     */
    public Tick tick(long nowMillis) {
        if (round.isEmpty()) {
            // A new round: what is due now is fixed until the round completes, so a pass cut short can go on where it
            // stopped; deletions that arrive meanwhile wait for the next round.
            Map<String, Long> due = new HashMap<>();
            if (keepMicros > 0 && nowMillis >= nextRetentionAtMillis) {
                due.putAll(retentionCutoffs());
                nextRetentionAtMillis = nowMillis + retentionCheck.toMillis();
            }
            roundDeletions = Set.copyOf(deletions);
            roundDeletions.forEach(source -> due.put(source, Long.MAX_VALUE));
            round = Map.copyOf(due);
        }
        if (round.isEmpty()) {
            return new Tick(0, new Removal(List.of(), true));
        }
        Removal removal = store.remove(round, budget);
        int dueSources = round.size();
        if (removal.complete()) {
            deletions.removeAll(roundDeletions);
            round = Map.of();
            roundDeletions = Set.of();
        }
        return new Tick(dueSources, removal);
    }

    /** The cutoff of every source holding clips that ended more than the retention before its newest clip. */
    private Map<String, Long> retentionCutoffs() {
        Map<String, Long> cutoffs = new HashMap<>();
        for (SourceSpan span : store.sourceSpans()) {
            long cutoff = span.newestEndMicros() - keepMicros;
            if (span.oldestEndMicros() < cutoff) {
                cutoffs.put(span.sourceId(), cutoff);
            }
        }
        return Map.copyOf(cutoffs);
    }

    /**
     * One tick's outcome.
     *
     * @param dueSources sources that had clips due (0: no pass was made)
     * @param removal what the pass removed, and whether it finished
     */
    public record Tick(int dueSources, Removal removal) {}
}
