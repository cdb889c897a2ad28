package io.clip4stream.alert.stream;

import io.clip4stream.alert.match.QueryBank;
import io.clip4stream.alert.match.ThresholdRule;
import io.clip4stream.alert.match.WatchedQuery;
import io.clip4stream.schemas.avro.AbsoluteThreshold;
import io.clip4stream.schemas.avro.RateThreshold;
import io.clip4stream.schemas.avro.StandingQuery;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The standing queries this instance scores against, encoded for its model: filled by the global table's
 * processor, read by every stream task and by the HTTP routes.
 *
 * <p>A query's text is encoded once per model version: a record that already carries an embedding of this model
 * version is used as is; any other is encoded here, once, when it arrives (so a new model version re-encodes every
 * query as its instance loads them).
 */
public final class StandingQueryRegistry {
    private final TextEncoder encoder;
    private final Optional<TightScorer> tightScorer;
    private final Map<String, Entry> entries = new ConcurrentSkipListMap<>();
    private final Map<String, Boolean> encodedHere = new ConcurrentHashMap<>();
    private volatile QueryBank bank = QueryBank.empty();
    // Loading ten thousand queries must not rebuild the matrix ten thousand times: changes only mark it stale.
    private volatile boolean stale;

    /**
     * One registered query.
     *
     * @param record the record as it is on the topic
     * @param watched the query ready to score
     */
    public record Entry(StandingQuery record, WatchedQuery watched) {}

    /** A registry encoding with {@code encoder}. */
    public StandingQueryRegistry(TextEncoder encoder) {
        this.encoder = Objects.requireNonNull(encoder, "encoder");
        this.tightScorer = encoder.tightScorer();
    }

    /** The encoder's model's tight head, when matching re-scores candidates with it. */
    public Optional<TightScorer> tightScorer() {
        return tightScorer;
    }

    /** The encoder's model version. */
    public String modelVersion() {
        return encoder.modelVersion();
    }

    /** Adds or replaces {@code record}, encoding its text unless it carries this model version's embedding. */
    public void put(StandingQuery record) {
        Entry previous = entries.get(record.getQueryId());
        if (previous != null && previous.record().equals(record)) {
            return;
        }
        float[] raw;
        if (encoder.modelVersion().equals(record.getModelVersion())
                && !record.getTextEmbedding().isEmpty()) {
            raw = toArray(record.getTextEmbedding());
        } else {
            raw = encoder.encodeRaw(record.getText());
            encodedHere.put(record.getQueryId(), true);
        }
        entries.put(record.getQueryId(), new Entry(record, toWatched(record, raw)));
        stale = true;
    }

    /** Removes the query {@code queryId}, if registered. */
    public void remove(String queryId) {
        if (entries.remove(queryId) != null) {
            encodedHere.remove(queryId);
            stale = true;
        }
    }

    /** Whether this instance had to encode {@code queryId}'s text itself (its record had another model's vector). */
    public boolean encodedHere(String queryId) {
        return encodedHere.containsKey(queryId);
    }

    /** The query {@code queryId}, if registered. */
    public Optional<Entry> get(String queryId) {
        return Optional.ofNullable(entries.get(queryId));
    }

    /** Every registered query, by id. */
    public Collection<Entry> all() {
        return List.copyOf(entries.values());
    }

    /** The current bank of every query; a new object after each change. */
    public QueryBank bank() {
        if (stale) {
            rebuild();
        }
        return bank;
    }

    private synchronized void rebuild() {
        if (!stale) {
            return;
        }
        stale = false;
        List<WatchedQuery> watched = new ArrayList<>(entries.size());
        for (Entry entry : entries.values()) {
            watched.add(entry.watched());
        }
        bank = QueryBank.of(watched);
    }

    /** The scoring form of {@code record} with text embedding {@code raw}. */
    public static WatchedQuery toWatched(StandingQuery record, float[] raw) {
        ThresholdRule rule = switch (record.getThreshold()) {
            case AbsoluteThreshold absolute -> new ThresholdRule.Absolute(absolute.getMinScore());
            case RateThreshold rate -> new ThresholdRule.TopRate(rate.getAlertsPerDay());
            default ->
                throw new IllegalArgumentException(
                        "standing query " + record.getQueryId() + " has an unknown threshold " + record.getThreshold());
        };
        return new WatchedQuery(
                record.getQueryId(),
                record.getText(),
                new java.util.HashSet<>(record.getSourceIds()),
                new java.util.HashSet<>(record.getTags()),
                rule,
                Duration.ofMillis(record.getCooldownMillis()),
                Duration.ofMillis(record.getGapMillis()),
                WatchedQuery.unit(raw),
                raw);
    }

    private static float[] toArray(List<Float> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }
}
