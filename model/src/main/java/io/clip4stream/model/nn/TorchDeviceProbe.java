package io.clip4stream.model.nn;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.clip4stream.model.DeviceProbe;
import java.util.Map;

/** The device probe of DJL's PyTorch engine in this process. */
public final class TorchDeviceProbe implements DeviceProbe {
    private final Map<String, String> env;

    /** A probe that names the libtorch location from {@code env} ({@code PYTORCH_LIBRARY_PATH}, {@code PYTORCH_FLAVOR}). */
    public TorchDeviceProbe(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    @Override
    public String engine() {
        Engine engine = Engine.getEngine(TorchRuntime.ENGINE);
        String library = env.getOrDefault("PYTORCH_LIBRARY_PATH", "");
        String flavor = env.getOrDefault("PYTORCH_FLAVOR", "");
        return "PyTorch " + engine.getVersion()
                + (library.isEmpty() ? " (bundled or cached libtorch" : " (" + library)
                + (flavor.isEmpty() ? ")" : ", flavor " + flavor + ")");
    }

    @Override
    public int gpuCount() {
        return Engine.getEngine(TorchRuntime.ENGINE).getGpuCount();
    }

    @Override
    public void exerciseGpu() {
        try (NDManager manager = NDManager.newBaseManager(Device.gpu(), TorchRuntime.ENGINE)) {
            float sum = manager.ones(new Shape(4)).sum().getFloat();
            if (sum != 4f) {
                throw new IllegalStateException("a sum of four ones on " + Device.gpu() + " gave " + sum);
            }
        }
    }
}
