package io.clip4stream.model.nn;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens NDManagers on DJL's PyTorch engine with a chosen thread count and device.
 *
 * <p>libtorch keeps its intra-op thread count per calling thread (OpenMP's and MKL's thread-local settings); a thread
 * that has not yet run an operator starts with the count set last. Small pools are deliberate: an oversubscribed
 * OpenMP pool on a shared 2-core machine runs 10-100x slower.
 */
public final class TorchRuntime {

    /** The DJL engine name. */
    public static final String ENGINE = "PyTorch";

    private static final Logger LOG = LoggerFactory.getLogger(TorchRuntime.class);

    private TorchRuntime() {}

    /**
     * Returns a new root NDManager on {@code device} after setting libtorch's intra-op thread count (0 keeps the
     * current setting).
     */
    public static NDManager newManager(Device device, int intraOpThreads) {
        Engine engine = Engine.getEngine(ENGINE);
        if (intraOpThreads > 0) {
            JniUtils.setNumThreads(intraOpThreads);
        }
        LOG.debug(
                "PyTorch {} on {}: {} intra-op threads, {} inter-op threads",
                engine.getVersion(),
                device,
                JniUtils.getNumThreads(),
                JniUtils.getNumInteropThreads());
        return NDManager.newBaseManager(device, ENGINE);
    }

    /**
     * Runs {@code work} with {@code threads} intra-op threads on the calling thread, then gives the thread its previous
     * count back; other threads keep theirs meanwhile.
     */
    public static <T> T withIntraOpThreads(int threads, Supplier<T> work) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be positive; was " + threads);
        }
        int previous = JniUtils.getNumThreads();
        if (previous == threads) {
            return work.get();
        }
        JniUtils.setNumThreads(threads);
        try {
            return work.get();
        } finally {
            JniUtils.setNumThreads(previous);
        }
    }

    /** The calling thread's intra-op thread count. */
    public static int intraOpThreads() {
        return JniUtils.getNumThreads();
    }

    /** Returns the first GPU when the engine sees one, otherwise the CPU. */
    public static Device preferredDevice() {
        return Engine.getEngine(ENGINE).getGpuCount() > 0 ? Device.gpu() : Device.cpu();
    }
}
