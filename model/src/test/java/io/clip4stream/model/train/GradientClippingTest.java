package io.clip4stream.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.clip4stream.model.nn.TorchRuntime;
import java.util.List;
import org.junit.jupiter.api.Test;

class GradientClippingTest {

    @Test
    void theNormIsTakenOverAllGradientsTogether() {
        try (NDManager manager = TorchRuntime.newManager(Device.cpu(), 1)) {
            // ||(1, 2, 2)|| = 3 and ||(4)|| = 4, so the joint norm is 5.
            NDArray first = manager.create(new float[] {1, 2, 2});
            NDArray second = manager.create(new float[] {4}, new Shape(1, 1));

            assertEquals(5.0, GradientClipping.clip(List.of(first, second), 10.0), 1e-6);
            // Under the bound nothing is touched.
            assertArrayEquals(new float[] {1, 2, 2}, first.toFloatArray());
            assertArrayEquals(new float[] {4}, second.toFloatArray());
        }
    }

    @Test
    void aboveTheBoundEveryGradientIsScaledByMaxOverNormPlusEpsilon() {
        try (NDManager manager = TorchRuntime.newManager(Device.cpu(), 1)) {
            NDArray first = manager.create(new float[] {1, 2, 2});
            NDArray second = manager.create(new float[] {4}, new Shape(1, 1));

            assertEquals(5.0, GradientClipping.clip(List.of(first, second), 2.5), 1e-6);
            double scale = 2.5 / (5 + 1e-6);
            assertArrayEquals(
                    new float[] {(float) scale, (float) (2 * scale), (float) (2 * scale)}, first.toFloatArray(), 1e-6f);
            assertArrayEquals(new float[] {(float) (4 * scale)}, second.toFloatArray(), 1e-6f);
            assertEquals(new Shape(1, 1), second.getShape());
            // The returned norm is the one before scaling; afterwards the joint norm is the bound.
            double after = Math.hypot(first.norm().getFloat(), second.norm().getFloat());
            assertEquals(2.5, after, 1e-5);
        }
    }

    @Test
    void aNormEqualToTheBoundIsStillScaledSlightlyAsPyTorchDoes() {
        try (NDManager manager = TorchRuntime.newManager(Device.cpu(), 1)) {
            NDArray gradient = manager.create(new float[] {3, 4});

            assertEquals(5.0, GradientClipping.clip(List.of(gradient), 5.0), 1e-6);
            // 5 / (5 + 1e-6) < 1: PyTorch's clip_grad_norm_ scales whenever norm + 1e-6 exceeds the bound.
            float[] scaled = gradient.toFloatArray();
            assertTrue(scaled[0] < 3f && scaled[1] < 4f, () -> scaled[0] + ", " + scaled[1]);
            assertEquals(3 * 5 / (5 + 1e-6), scaled[0], 1e-6);
            assertEquals(4 * 5 / (5 + 1e-6), scaled[1], 1e-6);
        }
    }

    @Test
    void zeroGradientsStayZero() {
        try (NDManager manager = TorchRuntime.newManager(Device.cpu(), 1)) {
            NDArray gradient = manager.zeros(new Shape(3));

            assertEquals(0.0, GradientClipping.clip(List.of(gradient), 1.0));
            assertArrayEquals(new float[3], gradient.toFloatArray());
        }
    }

    @Test
    void anEmptyListHasNormZero() {
        assertEquals(0.0, GradientClipping.clip(List.of(), 1.0));
    }
}
