package io.clip4stream.encoder;

import io.clip4stream.model.DeviceProbe;
import io.clip4stream.model.ModelOptions.DeviceChoice;
import java.util.Objects;

/**
 * The encoder's start-up check of its device: which device {@code CLIP4S_ENCODER_DEVICE} leads to on this machine,
 * and a refusal to start, naming what is missing, when a GPU was asked for ({@code gpu}) and is not usable (no CUDA
 * libtorch, no driver, no GPU given to the container), instead of a late native error or a silent CPU run.
 *
 * @param requested the configured device choice
 * @param probe what the engine of this process can run on
 */
public record DeviceCheck(DeviceChoice requested, DeviceProbe probe) {

    /** What to do when a GPU is missing, appended to every refusal. */
    static final String GPU_HINT = "give the encoder a CUDA 12.8 libtorch 2.7.1 (PYTORCH_LIBRARY_PATH=<libtorch>/lib,"
            + " PYTORCH_FLAVOR=cu128, PYTORCH_VERSION=2.7.1; deploy/k8s/encoder.yaml's init container does) and a GPU"
            + " (nvidia.com/gpu), or set CLIP4S_ENCODER_DEVICE=auto or cpu; see docs/operations.md";

    /**
     * The outcome of a passed check.
     *
     * @param gpu whether the model will run on the first GPU
     * @param description one line for the start-up log: device, engine and why
     */
    public record Result(boolean gpu, String description) {}

    /** Validates the arguments. */
    public DeviceCheck {
        Objects.requireNonNull(requested, "requested");
        Objects.requireNonNull(probe, "probe");
    }

    /** Probes the engine and returns the device the model will use; throws {@link EncoderException} when a GPU was asked for and is not usable. */
    public Result run() {
        String engine;
        try {
            engine = probe.engine();
        } catch (RuntimeException e) {
            throw new EncoderException(
                    "the PyTorch engine did not load (CLIP4S_ENCODER_DEVICE=" + name() + "): " + GPU_HINT, e);
        }
        if (requested == DeviceChoice.CPU) {
            return new Result(false, "cpu (CLIP4S_ENCODER_DEVICE=cpu) on " + engine);
        }
        int gpus = probe.gpuCount();
        RuntimeException unusable = null;
        if (gpus > 0) {
            try {
                probe.exerciseGpu();
                return new Result(true, "gpu(0) of " + gpus + " (CLIP4S_ENCODER_DEVICE=" + name() + ") on " + engine);
            } catch (RuntimeException e) {
                unusable = e;
            }
        }
        String why = gpus == 0
                ? engine + " sees no GPU"
                : engine + " sees " + gpus + " GPU(s) but cannot compute on gpu(0): " + unusable.getMessage();
        if (requested == DeviceChoice.GPU) {
            throw new EncoderException("CLIP4S_ENCODER_DEVICE=gpu but " + why + "; " + GPU_HINT, unusable);
        }
        // AUTO: a GPU that fails the exercise would fail the first batch; the CPU is slower but correct.
        return new Result(false, "cpu (CLIP4S_ENCODER_DEVICE=auto: " + why + ")");
    }

    /** The device choice the model should be loaded with: the GPU or CPU the check settled on. */
    public DeviceChoice chosen(Result result) {
        return result.gpu() ? DeviceChoice.GPU : DeviceChoice.CPU;
    }

    private String name() {
        return requested.name().toLowerCase(java.util.Locale.ROOT);
    }
}
