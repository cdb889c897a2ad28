package io.clip4stream.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.model.DeviceProbe;
import io.clip4stream.model.ModelOptions.DeviceChoice;
import org.junit.jupiter.api.Test;

class DeviceCheckTest {
    private static final String ENGINE = "PyTorch 2.7.1 (/opt/libtorch/lib, flavor cu128)";

    /** A probe that reports a fixed engine, GPU count and GPU health, and counts the GPU exercises it was asked for. */
    private static final class FakeProbe implements DeviceProbe {
        private final RuntimeException engineFailure;
        private final int gpus;
        private final RuntimeException gpuFailure;
        int exercised;

        FakeProbe(RuntimeException engineFailure, int gpus, RuntimeException gpuFailure) {
            this.engineFailure = engineFailure;
            this.gpus = gpus;
            this.gpuFailure = gpuFailure;
        }

        @Override
        public String engine() {
            if (engineFailure != null) {
                throw engineFailure;
            }
            return ENGINE;
        }

        @Override
        public int gpuCount() {
            return gpus;
        }

        @Override
        public void exerciseGpu() {
            exercised++;
            if (gpuFailure != null) {
                throw gpuFailure;
            }
        }
    }

    @Test
    void usesAWorkingGpuWhenAskedOrAutomaticAndLogsIt() {
        for (DeviceChoice choice : new DeviceChoice[] {DeviceChoice.GPU, DeviceChoice.AUTO}) {
            FakeProbe probe = new FakeProbe(null, 2, null);
            DeviceCheck check = new DeviceCheck(choice, probe);
            DeviceCheck.Result result = check.run();
            assertTrue(result.gpu(), choice.name());
            assertEquals(DeviceChoice.GPU, check.chosen(result));
            assertEquals(1, probe.exercised, "a GPU is used only after a computation on it worked");
            assertTrue(result.description().startsWith("gpu(0) of 2"), result.description());
            assertTrue(result.description().contains(ENGINE), result.description());
        }
    }

    @Test
    void refusesToStartWhenAGpuWasAskedForAndTheEngineSeesNone() {
        EncoderException refused = assertThrows(
                EncoderException.class, () -> new DeviceCheck(DeviceChoice.GPU, new FakeProbe(null, 0, null)).run());
        assertTrue(
                refused.getMessage().contains("CLIP4S_ENCODER_DEVICE=gpu but " + ENGINE + " sees no GPU"),
                refused.getMessage());
        assertTrue(refused.getMessage().contains("PYTORCH_LIBRARY_PATH"), "says what to do: " + refused.getMessage());
    }

    @Test
    void refusesToStartWhenTheGpuIsSeenButCannotCompute() {
        IllegalStateException cuda = new IllegalStateException("CUDA error: no kernel image is available");
        EncoderException refused = assertThrows(
                EncoderException.class, () -> new DeviceCheck(DeviceChoice.GPU, new FakeProbe(null, 1, cuda)).run());
        assertSame(cuda, refused.getCause());
        assertTrue(refused.getMessage().contains("no kernel image is available"), refused.getMessage());
    }

    @Test
    void refusesToStartWhenTheEngineDoesNotLoad() {
        IllegalStateException noLibtorch = new IllegalStateException("no libtorch for flavor cu128, offline");
        EncoderException refused = assertThrows(
                EncoderException.class,
                () -> new DeviceCheck(DeviceChoice.AUTO, new FakeProbe(noLibtorch, 0, null)).run());
        assertSame(noLibtorch, refused.getCause());
        assertTrue(refused.getMessage().startsWith("the PyTorch engine did not load"), refused.getMessage());
    }

    @Test
    void automaticFallsBackToTheCpuSayingWhyAndCpuNeverTouchesTheGpu() {
        FakeProbe broken = new FakeProbe(null, 1, new IllegalStateException("out of memory"));
        DeviceCheck auto = new DeviceCheck(DeviceChoice.AUTO, broken);
        DeviceCheck.Result fallback = auto.run();
        assertFalse(fallback.gpu());
        assertEquals(DeviceChoice.CPU, auto.chosen(fallback));
        assertTrue(fallback.description().contains("cannot compute on gpu(0): out of memory"), fallback.description());

        FakeProbe healthy = new FakeProbe(null, 1, null);
        DeviceCheck.Result cpu = new DeviceCheck(DeviceChoice.CPU, healthy).run();
        assertFalse(cpu.gpu());
        assertEquals(0, healthy.exercised);
        assertEquals("cpu (CLIP4S_ENCODER_DEVICE=cpu) on " + ENGINE, cpu.description());
    }
}
