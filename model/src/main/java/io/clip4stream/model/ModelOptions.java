package io.clip4stream.model;

/**
 * How a model is run.
 *
 * @param device where to run: {@link DeviceChoice#AUTO} uses a GPU when DJL finds a CUDA engine, else the CPU
 * @param intraOpThreads libtorch intra-op threads of every pass but short text ones, set on the calling thread for each
 *     call (libtorch keeps the count per thread)
 * @param frameBatchSize how many frames {@link Clip4ClipModel#embedFrames} sends through the encoder at once
 * @param shortTextThreads intra-op threads of a text pass of at most {@link #SHORT_TEXT_ROWS} token rows (captions ×
 *     tokens), on the calling thread only; longer passes use {@code intraOpThreads}
 */
public record ModelOptions(DeviceChoice device, int intraOpThreads, int frameBatchSize, int shortTextThreads) {

    /**
     * Most token rows of a "short" text pass: one such pass mostly reads the text tower's weights (about 150 MB at
     * ViT-B/32's), so extra threads add barrier waits rather than speed. Measured on 2 cores, ViT-B/32 text tower: 10
     * tokens p50 21.8 / p90 22.7 ms on one thread against 24.8 / 28.5 on two, 20 tokens 30.1 / 31.1 against 30.6 /
     * 34.7, 32 tokens about even.
     */
    public static final int SHORT_TEXT_ROWS = 32;

    /** Default {@link #shortTextThreads}: one, from the measurement above. */
    public static final int DEFAULT_SHORT_TEXT_THREADS = 1;

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
        if (device == null || intraOpThreads <= 0 || frameBatchSize <= 0 || shortTextThreads <= 0) {
            throw new IllegalArgumentException("invalid model options: device " + device + ", intra-op threads "
                    + intraOpThreads + ", frame batch " + frameBatchSize + ", short-text threads "
                    + shortTextThreads);
        }
    }

    /** Options with the default {@link #shortTextThreads}. */
    public ModelOptions(DeviceChoice device, int intraOpThreads, int frameBatchSize) {
        this(device, intraOpThreads, frameBatchSize, DEFAULT_SHORT_TEXT_THREADS);
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
        return new ModelOptions(device, threads, frameBatchSize, shortTextThreads);
    }

    /** Returns a copy running on {@code choice}. */
    public ModelOptions withDevice(DeviceChoice choice) {
        return new ModelOptions(choice, intraOpThreads, frameBatchSize, shortTextThreads);
    }

    /** Returns a copy running short text passes on {@code threads} intra-op threads. */
    public ModelOptions withShortTextThreads(int threads) {
        return new ModelOptions(device, intraOpThreads, frameBatchSize, threads);
    }
}
