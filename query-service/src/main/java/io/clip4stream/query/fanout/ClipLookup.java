package io.clip4stream.query.fanout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Finds stored clips by id or source range on every index instance: a clip lives on one shard, but which one is the
 * index's business, so every instance is asked (in parallel, one virtual thread each, as the search's scatter does) and
 * the answers are united in the directory's order. An instance that fails fails the lookup: "no such clip" must never
 * be said while part of the index did not answer.
 */
public final class ClipLookup {
    private final ShardDirectory directory;
    private final ShardClient client;
    private final Duration timeout;

    /**
     * The clips found.
     *
     * @param clips every stored clip that matched (a clip id: one per model version)
     * @param truncated whether an instance held more clips in the range than it returned
     */
    public record Found(List<IndexWire.StoredClip> clips, boolean truncated) {}

    /** Asks the instances {@code directory} names through {@code client}, each within {@code timeout}. */
    public ClipLookup(ShardDirectory directory, ShardClient client, Duration timeout) {
        this.directory = Objects.requireNonNull(directory, "directory");
        this.client = Objects.requireNonNull(client, "client");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    /**
     * The stored clips of {@code example}; a source range only in {@code modelVersion}.
     *
     * @throws ShardException when no instance is known, an instance fails, or a partition is unserved
     */
    public Found find(ClipExample example, String modelVersion) {
        ShardLayout layout = directory.layout();
        if (layout.instances().isEmpty()) {
            throw new ShardException("no index instance is known, so the example clip cannot be looked up");
        }
        if (!layout.unservedPartitions().isEmpty()) {
            throw new ShardException("index partitions " + layout.unservedPartitions()
                    + " are not served now, so the example clip cannot be looked up; retry shortly");
        }
        Map<String, IndexWire.StoredClip> found = new LinkedHashMap<>();
        boolean truncated = false;
        // A lookup costs the slowest instance, not the sum of them: with many index instances, asking one after the
        // other made search by example slower with every instance added.
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        try {
            List<Future<IndexWire.Clips>> calls = new ArrayList<>();
            for (IndexInstance instance : layout.instances()) {
                calls.add(executor.submit(() -> client.clips(instance, example, modelVersion, timeout)));
            }
            for (Future<IndexWire.Clips> call : calls) {
                IndexWire.Clips answer = answer(call);
                truncated |= answer.truncated();
                for (IndexWire.StoredClip clip : answer.clips()) {
                    found.putIfAbsent(clip.modelVersion() + '\u0000' + clip.clipId(), clip);
                }
            }
        } finally {
            // After a failure the other calls are not waited for: their answers can no longer matter.
            executor.shutdownNow();
        }
        return new Found(new ArrayList<>(found.values()), truncated);
    }

    private IndexWire.Clips answer(Future<IndexWire.Clips> call) {
        try {
            return call.get();
        } catch (ExecutionException e) {
            directory.invalidate();
            if (e.getCause() instanceof ShardException failure) {
                throw failure;
            }
            throw new ShardException("an index instance failed while looking up the example clip", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ShardException("interrupted while looking up the example clip", e);
        }
    }
}
