package io.clip4stream.query.example;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class VectorBlendTest {
    private static final float EPS = 1e-6f;

    @Test
    void shouldNormaliseAVector() {
        assertArrayEquals(new float[] {0.6f, 0.8f}, VectorBlend.unit(new float[] {3, 4}), EPS);
        assertThrows(IllegalArgumentException.class, () -> VectorBlend.unit(new float[] {0, 0}));
        assertThrows(IllegalArgumentException.class, () -> VectorBlend.unit(new float[0]));
        assertThrows(IllegalArgumentException.class, () -> VectorBlend.unit(new float[] {Float.NaN, 1}));
    }

    @Test
    void shouldGiveTheTextAtWeightOneAndTheExampleAtWeightZero() {
        float[] text = {2, 0, 0};
        float[] example = {0, 0, 5};
        assertArrayEquals(new float[] {1, 0, 0}, VectorBlend.blend(text, example, 1), EPS);
        assertArrayEquals(new float[] {0, 0, 1}, VectorBlend.blend(text, example, 0), EPS);
    }

    @Test
    void shouldWeighDirectionsNotLengths() {
        // Without normalising first, the long example would dominate at equal weight.
        float h = (float) Math.sqrt(0.5);
        assertArrayEquals(new float[] {h, h}, VectorBlend.blend(new float[] {1, 0}, new float[] {0, 100}, 0.5), EPS);
        float[] quarter = VectorBlend.blend(new float[] {1, 0}, new float[] {0, 100}, 0.25);
        // 0.25 * (1, 0) + 0.75 * (0, 1), normalised.
        double norm = Math.sqrt(0.25 * 0.25 + 0.75 * 0.75);
        assertArrayEquals(new float[] {(float) (0.25 / norm), (float) (0.75 / norm)}, quarter, EPS);
    }

    @Test
    void shouldRefuseAWeightOutsideTheUnitIntervalAndVectorsThatCancel() {
        float[] a = {1, 0};
        assertThrows(IllegalArgumentException.class, () -> VectorBlend.blend(a, a, 1.5));
        assertThrows(IllegalArgumentException.class, () -> VectorBlend.blend(a, a, -0.1));
        assertThrows(IllegalArgumentException.class, () -> VectorBlend.blend(a, a, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> VectorBlend.blend(a, new float[] {1, 0, 0}, 0.5));
        assertThrows(IllegalArgumentException.class, () -> VectorBlend.blend(a, new float[] {-1, 0}, 0.5));
    }

    @Test
    void shouldAverageSeveralClipVectorsByDirection() {
        float h = (float) Math.sqrt(0.5);
        assertArrayEquals(
                new float[] {h, h}, VectorBlend.unitMean(List.of(new float[] {10, 0}, new float[] {0, 1})), EPS);
        assertEquals(1, VectorBlend.unitMean(List.of(new float[] {3, 4})).length / 2);
        assertThrows(IllegalArgumentException.class, () -> VectorBlend.unitMean(List.of()));
    }
}
