package io.clip4stream.model;

/**
 * What the PyTorch engine of this process can run on, asked before a model is loaded so that a service can say which
 * device it uses and refuse to start on the CPU when a GPU was asked for.
 */
public interface DeviceProbe {

    /** Loads the engine (once) and describes it, e.g. {@code PyTorch 2.7.1 (cu128 from /opt/libtorch/lib)}; throws when it does not load. */
    String engine();

    /** The GPUs the loaded engine sees (0 for a CPU libtorch or without a driver). */
    int gpuCount();

    /** Runs a tiny computation on the first GPU and throws, with the engine's reason, when it cannot. */
    void exerciseGpu();
}
