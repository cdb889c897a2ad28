package io.clip4stream.model;

/**
 * How a model is run.
 *
 * @param device where to run: {@link DeviceChoice#AUTO} uses a GPU when DJL finds a CUDA engine, else the CPU
 * @param intraOpThreads libtorch intra-op threads (process-wide; the last model loaded sets it)
 * @param frameBatchSize how many frames {@link Clip4ClipModel#embedFrames} sends through the encoder at once
 */
public record ModelOptions(DeviceChoice device, int intraOpThreads, int frameBatchSize) {

    /** Where the network runs. */
    public enum DeviceChoice {
        /** A GPU when the PyTorch engine reports one, else the CPU. */
        AUTO,
        /** Always the CPU. */
        CPU,
        /** The first GPU; loading fails when there is none. */
        GPU
    }

    /** Validates the options. */
    public ModelOptions {
        if (device == null || intraOpThreads <= 0 || frameBatchSize <= 0) {
            throw new IllegalArgumentException("invalid model options: device " + device + ", intra-op threads "
                    + intraOpThreads + ", frame batch " + frameBatchSize);
        }
    }

    /**
     * Returns the defaults: automatic device, half the cores for libtorch (1 to 4, leaving room for decoding and
     * Kafka threads on small machines), batches of 16 frames.
     */
    public static ModelOptions defaults() {
        int cores = Runtime.getRuntime().availableProcessors();
        return new ModelOptions(DeviceChoice.AUTO, Math.clamp(cores / 2, 1, 4), 16);
    }

    /** Returns a copy with {@code threads} intra-op threads. */
    public ModelOptions withIntraOpThreads(int threads) {
        return new ModelOptions(device, threads, frameBatchSize);
    }

    /** Returns a copy running on {@code choice}. */
    public ModelOptions withDevice(DeviceChoice choice) {
        return new ModelOptions(choice, intraOpThreads, frameBatchSize);
    }
}
