package io.clip4stream.model.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** libtorch's intra-op thread count as {@link TorchRuntime} sets it: per calling thread, given back after a call. */
class TorchRuntimeTest {

    @Test
    void shouldRunOneCallWithItsOwnThreadCountWhileOtherThreadsKeepTheirs() throws Exception {
        try (NDManager manager = TorchRuntime.newManager(Device.cpu(), 2)) {
            manager.ones(new ai.djl.ndarray.types.Shape(2, 2))
                    .matMul(manager.ones(new ai.djl.ndarray.types.Shape(2, 2)));
            // Another thread that has already asked for its count (2), checked while this one holds 1.
            CountDownLatch otherReady = new CountDownLatch(1);
            CountDownLatch inside = new CountDownLatch(1);
            CompletableFuture<Integer> other = CompletableFuture.supplyAsync(() -> {
                // Its first call takes the count set last (2), as a model's worker thread does.
                TorchRuntime.intraOpThreads();
                otherReady.countDown();
                try {
                    inside.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return TorchRuntime.intraOpThreads();
            });
            otherReady.await(30, TimeUnit.SECONDS);
            int during = TorchRuntime.withIntraOpThreads(1, () -> {
                inside.countDown();
                try {
                    assertEquals(2, other.get(30, TimeUnit.SECONDS), "the other thread keeps its 2 threads");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                return TorchRuntime.intraOpThreads();
            });
            assertEquals(1, during);
            assertEquals(2, TorchRuntime.intraOpThreads(), "the count is given back after the call");
        }
        assertThrows(IllegalArgumentException.class, () -> TorchRuntime.withIntraOpThreads(0, () -> 1));
    }
}
