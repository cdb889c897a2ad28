package io.clip4stream.index.lucene;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refreshes one store's near-real-time searcher on its own daemon thread at a fixed delay, so that queries never pay
 * for a refresh and a new clip becomes searchable within about one interval.
 */
final class IndexRefresher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(IndexRefresher.class);

    private final ScheduledExecutorService executor;
    private volatile RuntimeException failure;

    private IndexRefresher(ScheduledExecutorService executor) {
        this.executor = executor;
    }

    /** Starts running {@code refresh} every {@code interval} on a thread named after {@code storeName}. */
    static IndexRefresher start(String storeName, Duration interval, Runnable refresh) {
        Objects.requireNonNull(refresh, "refresh");
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "index-refresher-" + storeName);
            thread.setDaemon(true);
            return thread;
        });
        IndexRefresher refresher = new IndexRefresher(executor);
        long nanos = interval.toNanos();
        executor.scheduleWithFixedDelay(
                () -> {
                    try {
                        refresh.run();
                        refresher.failure = null;
                    } catch (RuntimeException e) {
                        // Kept and rethrown to the next query: a stale index must not look fresh.
                        if (refresher.failure == null) {
                            LOG.warn("refreshing store {} failed", storeName, e);
                        }
                        refresher.failure = e;
                    }
                },
                nanos,
                nanos,
                TimeUnit.NANOSECONDS);
        return refresher;
    }

    /** The last refresh's failure, or {@code null} when the last refresh worked. */
    RuntimeException failure() {
        return failure;
    }

    @Override
    public void close() {
        // Never interrupt: an interrupt during Lucene's NIO reads closes the channel and with it the IndexWriter.
        executor.shutdown();
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("an index refresher did not stop within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
