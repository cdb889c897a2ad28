package io.clip4stream.query.engine;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Runs model work (text encoding, tight re-ranking) on a fixed number of platform threads with a bounded queue, and
 * refuses work when both are full instead of letting it pile up.
 *
 * <p>Why: requests run on virtual threads, and a native libtorch call pins its carrier; run inline, a burst of
 * searches would occupy every carrier (starving {@code /health}) and oversubscribe libtorch's own threads. Here at most
 * {@code workers} forward passes run at once, at most {@code queue} wait, and the rest fail fast with
 * {@link ModelSaturatedException} so the caller can answer 503 with {@code Retry-After}.
 */
public final class ModelExecutor implements AutoCloseable {
    private final ThreadPoolExecutor pool;
    private final int workers;
    private final int queue;

    /** An executor of {@code workers} threads named after {@code name}, with room for {@code queue} waiting tasks. */
    public ModelExecutor(String name, int workers, int queue) {
        if (workers < 1 || queue < 0) {
            throw new IllegalArgumentException(
                    "model workers must be positive and the queue non-negative; were " + workers + " and " + queue);
        }
        this.workers = workers;
        this.queue = queue;
        AtomicInteger count = new AtomicInteger();
        // A queue of 0 means "no waiting": a SynchronousQueue-like hand-off is what ArrayBlockingQueue cannot do.
        this.pool = new ThreadPoolExecutor(
                workers,
                workers,
                0,
                TimeUnit.MILLISECONDS,
                queue == 0 ? new java.util.concurrent.SynchronousQueue<>() : new ArrayBlockingQueue<>(queue),
                runnable -> {
                    // Platform threads: the work is native and pins whatever runs it.
                    Thread thread = new Thread(runnable, name + "-model-" + count.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                },
                new ThreadPoolExecutor.AbortPolicy());
    }

    /**
     * Runs {@code task} on a model worker and waits for its result.
     *
     * @throws ModelSaturatedException when every worker is busy and the queue is full
     */
    public <T> T call(Supplier<T> task) {
        Future<T> future;
        try {
            future = pool.submit(task::get);
        } catch (RejectedExecutionException e) {
            if (pool.isShutdown()) {
                throw new IllegalStateException("the model executor is closed", e);
            }
            throw new ModelSaturatedException(workers, queue, e);
        }
        try {
            return future.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException("model work failed: " + cause, cause);
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for model work", e);
        }
    }

    /** Threads that run model work. */
    public int workers() {
        return workers;
    }

    /** Tasks that may wait for a worker. */
    public int queueCapacity() {
        return queue;
    }

    /** Tasks waiting right now. */
    public int queued() {
        return pool.getQueue().size();
    }

    /** Tasks running right now. */
    public int running() {
        return pool.getActiveCount();
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
