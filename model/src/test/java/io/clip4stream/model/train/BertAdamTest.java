package io.clip4stream.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.clip4stream.model.nn.TorchRuntime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The original's {@code BertAdam.step} by hand, in double: with g clipped to norm 1, {@code m = 0.9 m + 0.1 g}, {@code
 * v = 0.98 v + 0.02 g²}, {@code u = m / (sqrt(v) + 1e-6) + decay · p}, {@code p -= lr · warmup_cosine(step / 10, 0.1)
 * · u} with the step counted from 0; no bias correction.
 */
class BertAdamTest {

    /** lr 0.1, coef_lr 0.01, warm-up 0.1 of 10 steps, decay 0.2, b1 0.9, b2 0.98, eps 1e-6, per-parameter clip 1. */
    private static final OptimizerSettings SETTINGS = new OptimizerSettings(
            0.1, 0.01, 0.1, 10, 0.2, 0.9, 0.98, 1e-6, 1.0, 1.0, OptimizerSettings.LOGIT_SCALE_MAX);

    /** Every parameter starts at (1, -2) and sees these gradients; the first has norm 5, the others less than 1. */
    private static final float[][] GRADIENTS = {{3, 4}, {0.1f, -0.2f}, {-0.5f, 0.5f}};

    private static final List<String> NAMES = List.of("head.weight", "head.bias", "clip.w");

    /** (3, 4) / (5 + 1e-6). */
    private static final float[] CLIPPED_FIRST = {0.599999880000024f, 0.799999840000032f};

    /** m and v after each step (the same for every parameter: they see the same gradients). */
    private static final double[][] M = {
        {0.05999998800000239, 0.07999998400000319},
        {0.06399998920000215, 0.05199998560000287},
        {0.007599990280001946, 0.09679998704000257}
    };

    private static final double[][] V = {
        {0.007199997120000871, 0.012799994880001548},
        {0.0072559971776008534, 0.013343994982401517},
        {0.012110877234048842, 0.01807711508275349}
    };

    /** Parameters after each step: the first step's factor is warmup_cosine(0) = 0, so none moves. */
    private static final Map<String, double[][]> EXPECTED = Map.of(
            // Head, decaying: lr 0.1.
            "head.weight",
            new double[][] {
                {1.0, -2.0}, {0.9071958263670733, -2.0048922008371357}, {0.8845380400203221, -2.0337442249150812}
            },
            // Head, no decay ("bias" in the name): lr 0.1.
            "head.bias",
            new double[][] {
                {1.0, -2.0}, {0.9267063915300249, -2.0439133311630386}, {0.9204599318545142, -2.109034195873026}
            },
            // CLIP, decaying: lr 0.1 × 0.01.
            "clip.w",
            new double[][] {
                {1.0, -2.0}, {0.9990719582636707, -2.0000489220083715}, {0.9988287598518053, -2.0003383184065218}
            });

    private static Map<String, NDArray> parameters(NDManager manager) {
        Map<String, NDArray> parameters = new LinkedHashMap<>();
        for (String name : NAMES) {
            parameters.put(name, manager.create(new float[] {1, -2}));
        }
        return parameters;
    }

    private static Map<String, NDArray> gradients(NDManager manager, float[] values) {
        Map<String, NDArray> gradients = new LinkedHashMap<>();
        for (String name : NAMES) {
            gradients.put(name, manager.create(values));
        }
        return gradients;
    }

    private static void assertClose(double[] expected, float[] actual, double tolerance, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tolerance, what + "[" + i + "]");
        }
    }

    @Test
    void threeStepsMatchTheHandComputationPerGroup() {
        try (NDManager manager = TorchRuntime.newManager(Device.cpu(), 1);
                BertAdam adam = new BertAdam(SETTINGS, manager)) {
            Map<String, NDArray> parameters = parameters(manager);
            for (int step = 0; step < GRADIENTS.length; step++) {
                assertEquals(step, adam.step());
                assertEquals(OptimizerSettings.warmupCosine(step / 10.0, 0.1), adam.nextScheduleFactor(), 1e-15);
                Map<String, NDArray> gradients = gradients(manager, GRADIENTS[step]);

                adam.apply(parameters, gradients);

                Map<String, NDArray> state = adam.state();
                for (String name : NAMES) {
                    String at = name + " after step " + step;
                    assertClose(EXPECTED.get(name)[step], parameters.get(name).toFloatArray(), 1e-6, at);
                    assertClose(M[step], state.get("m." + name).toFloatArray(), 1e-7, "m of " + at);
                    assertClose(V[step], state.get("v." + name).toFloatArray(), 1e-7, "v of " + at);
                }
            }
            assertEquals(3, adam.step());
        }
    }

    @Test
    void theFirstStepMovesOnlyTheMomentsAndClipsTheGradientInPlace() {
        try (NDManager manager = TorchRuntime.newManager(Device.cpu(), 1);
                BertAdam adam = new BertAdam(SETTINGS, manager)) {
            Map<String, NDArray> parameters = parameters(manager);
            Map<String, NDArray> gradients = gradients(manager, GRADIENTS[0]);

            adam.apply(parameters, gradients);

            for (String name : NAMES) {
                assertArrayEquals(new float[] {1, -2}, parameters.get(name).toFloatArray(), name);
                assertArrayEquals(CLIPPED_FIRST, gradients.get(name).toFloatArray(), 1e-7f, name);
            }
            assertEquals(
                    List.of("m.head.weight", "m.head.bias", "m.clip.w", "v.head.weight", "v.head.bias", "v.clip.w"),
                    List.copyOf(adam.state().keySet()));
        }
    }

    @Test
    void restoringTheStateGivesIdenticalLaterSteps() {
        try (NDManager manager = TorchRuntime.newManager(Device.cpu(), 1);
                BertAdam original = new BertAdam(SETTINGS, manager);
                BertAdam restored = new BertAdam(SETTINGS, manager)) {
            Map<String, NDArray> first = parameters(manager);
            original.apply(first, gradients(manager, GRADIENTS[0]));
            original.apply(first, gradients(manager, GRADIENTS[1]));

            Map<String, float[]> moments = new LinkedHashMap<>();
            original.state().forEach((key, array) -> moments.put(key, array.toFloatArray()));
            Map<String, NDArray> second = new LinkedHashMap<>();
            first.forEach((name, array) -> second.put(name, manager.create(array.toFloatArray())));
            restored.restore(original.step(), moments, second);
            assertEquals(2, restored.step());

            original.apply(first, gradients(manager, GRADIENTS[2]));
            restored.apply(second, gradients(manager, GRADIENTS[2]));

            for (String name : NAMES) {
                assertArrayEquals(
                        first.get(name).toFloatArray(), second.get(name).toFloatArray(), name);
            }
            original.state()
                    .forEach((key, array) -> assertArrayEquals(
                            array.toFloatArray(), restored.state().get(key).toFloatArray(), key));
        }
    }

    @Test
    void aGradientWithoutItsParameterIsRejected() {
        try (NDManager manager = TorchRuntime.newManager(Device.cpu(), 1);
                BertAdam adam = new BertAdam(SETTINGS, manager)) {
            Map<String, NDArray> gradients = Map.of("nowhere.weight", manager.create(new float[] {1}));

            assertThrows(IllegalArgumentException.class, () -> adam.apply(parameters(manager), gradients));
            assertThrows(
                    IllegalArgumentException.class,
                    () -> adam.restore(1, Map.of("m.nowhere.weight", new float[] {0}), parameters(manager)));
        }
    }
}
