package io.clip4stream.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.clip4stream.model.nn.TorchRuntime;
import io.clip4stream.model.spec.CheckpointLayout;
import io.clip4stream.model.spec.ModelSpec;
import io.clip4stream.model.spec.SimilarityHead;
import io.clip4stream.model.weights.Checkpoint;
import io.clip4stream.model.weights.ModelDirectory;
import io.clip4stream.model.weights.TinyModelGenerator;
import io.clip4stream.model.weights.TinyModelShape;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {

    private static final int CLIPS = 4;
    private static final int FRAMES = 4;

    @TempDir
    Path dir;

    @Test
    void aStepWithNonFiniteGradientsLeavesTheModelAsItWasAndOnlyARunOfThemStopsTraining() throws Exception {
        TinyModelShape shape =
                TinyModelShape.defaults().withHead(SimilarityHead.SEQ_TRANSF).withMaxFrames(FRAMES);
        ModelDirectory directory = new TinyModelGenerator(7).generate(dir, shape, "trainer-test");
        try (Checkpoint checkpoint = directory.openCheckpoint();
                NDManager manager = TorchRuntime.newManager(Device.cpu(), 1)) {
            ModelSpec spec = CheckpointLayout.derive(
                    checkpoint.source(), checkpoint.shapes(), checkpoint.nonFloatingPoint(), directory.config());
            TrainingBatch batch = batch(shape.embedDim());
            try (TrainableModel model = TrainableModel.bind(
                            checkpoint, spec, SimilarityHead.SEQ_TRANSF, FreezeRule.clip(), false, manager);
                    Trainer trainer = new Trainer(model, OptimizerSettings.paper(100), false)) {
                Trainer.StepResult first = trainer.step(batch);
                assertFalse(first.skipped());
                assertTrue(Double.isFinite(first.gradientNorm()));
                long steps = trainer.optimizer().step();

                for (int skipped = 1; skipped < Trainer.MAX_SKIPPED_STEPS_IN_A_ROW; skipped++) {
                    Map<String, float[]> before = snapshot(model);
                    trainer.backward(batch);
                    poisonOneGradient(model);
                    Trainer.StepResult result = trainer.update(0);
                    assertTrue(result.skipped(), "step " + skipped);
                    assertTrue(Double.isNaN(result.gradientNorm()));
                    assertSameValues(before, snapshot(model));
                    assertEquals(steps, trainer.optimizer().step(), "a skipped step is no optimizer step");
                    for (String name : model.trainable()) {
                        try (NDArray gradient = model.parameters().get(name).getGradient()) {
                            assertTrue(
                                    Arrays.equals(new float[(int) gradient.size()], gradient.toFloatArray()),
                                    name + "'s gradient is reset to zero, NaN included");
                        }
                    }
                }

                // A finite step in between resets the count: training goes on and moves the model again.
                Map<String, float[]> before = snapshot(model);
                assertFalse(trainer.step(batch).skipped());
                Map<String, float[]> after = snapshot(model);
                assertTrue(
                        before.entrySet().stream().anyMatch(e -> !Arrays.equals(e.getValue(), after.get(e.getKey()))),
                        "a finite step moves the trained parameters");

                for (int skipped = 1; skipped < Trainer.MAX_SKIPPED_STEPS_IN_A_ROW; skipped++) {
                    trainer.backward(batch);
                    poisonOneGradient(model);
                    assertTrue(trainer.update(0).skipped());
                }
                trainer.backward(batch);
                poisonOneGradient(model);
                ArithmeticException stopped = assertThrows(ArithmeticException.class, () -> trainer.update(0));
                assertTrue(stopped.getMessage().contains("in a row"), stopped.getMessage());
            }
        }
    }

    private static void assertSameValues(Map<String, float[]> expected, Map<String, float[]> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((name, values) -> assertArrayEquals(values, actual.get(name), name));
    }

    private static Map<String, float[]> snapshot(TrainableModel model) {
        Map<String, float[]> values = new LinkedHashMap<>();
        model.parameters().forEach((name, parameter) -> values.put(name, parameter.toFloatArray()));
        return values;
    }

    /** One NaN in the first trainable parameter's gradient, as a 0/0 in a backward pass leaves it. */
    private static void poisonOneGradient(TrainableModel model) {
        try (NDArray gradient =
                model.parameters().get(model.trainable().iterator().next()).getGradient()) {
            gradient.set(new ai.djl.ndarray.index.NDIndex("0"), Float.NaN);
        }
    }

    private static TrainingBatch batch(int dim) {
        SplittableRandom random = new SplittableRandom(5);
        float[] frames = new float[CLIPS * FRAMES * dim];
        for (int i = 0; i < frames.length; i++) {
            frames[i] = (float) (random.nextDouble() * 2 - 1);
        }
        float[] texts = new float[CLIPS * dim];
        for (int i = 0; i < texts.length; i++) {
            texts[i] = (float) (random.nextDouble() * 2 - 1);
        }
        float[] valid = new float[CLIPS * FRAMES];
        Arrays.fill(valid, 1f);
        return new TrainingBatch.Embeddings(frames, FRAMES, valid, texts, dim);
    }
}
