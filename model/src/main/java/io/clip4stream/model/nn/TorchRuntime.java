package io.clip4stream.model.nn;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens NDManagers on DJL's PyTorch engine with a chosen thread count and device.
 *
 * <p>libtorch's thread pool is process-wide: the last setting applied wins for every model in the JVM. Small pools are
 * deliberate: an oversubscribed OpenMP pool on a shared 2-core machine runs 10-100x slower.
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

    /** Returns the first GPU when the engine sees one, otherwise the CPU. */
    public static Device preferredDevice() {
        return Engine.getEngine(ENGINE).getGpuCount() > 0 ? Device.gpu() : Device.cpu();
    }
}
