package io.clip4stream.model.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Keeping only the first rows in the last block gives the first rows of the full forward pass. */
class TransformerFirstTokensTest {
    private static final int WIDTH = 32;
    private static final int HEADS = 4;

    private static NDArray random(NDManager manager, SplittableRandom random, float scale, long... shape) {
        Shape s = new Shape(shape);
        float[] values = new float[(int) s.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) ((random.nextDouble() * 2 - 1) * scale);
        }
        return manager.create(values, s);
    }

    private static Transformer transformer(NDManager manager, int layers) {
        SplittableRandom random = new SplittableRandom(7);
        List<ResidualAttentionBlock> blocks = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            blocks.add(new ResidualAttentionBlock(
                    new LayerNormalization(
                            random(manager, random, 0.5f, WIDTH).add(1f), random(manager, random, 0.1f, WIDTH), 1e-12f),
                    new MultiHeadAttention(
                            random(manager, random, 0.3f, 3 * WIDTH, WIDTH),
                            random(manager, random, 0.1f, 3 * WIDTH),
                            new LinearLayer(
                                    random(manager, random, 0.3f, WIDTH, WIDTH), random(manager, random, 0.1f, WIDTH)),
                            HEADS),
                    new LayerNormalization(
                            random(manager, random, 0.5f, WIDTH).add(1f), random(manager, random, 0.1f, WIDTH), 1e-12f),
                    new Mlp(
                            new LinearLayer(
                                    random(manager, random, 0.3f, 4 * WIDTH, WIDTH),
                                    random(manager, random, 0.1f, 4 * WIDTH)),
                            new LinearLayer(
                                    random(manager, random, 0.3f, WIDTH, 4 * WIDTH),
                                    random(manager, random, 0.1f, WIDTH)))));
        }
        return new Transformer(blocks);
    }

    @Test
    void theFirstRowsMatchTheFullPassWithKeyPadding() {
        try (NDManager manager = TorchRuntime.newManager(Device.cpu(), 1)) {
            Transformer transformer = transformer(manager, 3);
            SplittableRandom random = new SplittableRandom(11);
            NDArray x = random(manager, random, 1f, 5, 13, WIDTH);
            // Clip 1 has 3 padded frames, clip 4 has one valid frame besides the text slot.
            float[] valid = new float[5 * 13];
            java.util.Arrays.fill(valid, 1f);
            for (int t = 10; t < 13; t++) {
                valid[13 + t] = 0f;
            }
            for (int t = 2; t < 13; t++) {
                valid[4 * 13 + t] = 0f;
            }
            AttentionMask mask = AttentionMask.keyPadding(manager.create(valid, new Shape(5, 13)));
            NDArray full = transformer.forward(x, mask);
            for (int keep : new int[] {1, 4, 13}) {
                NDArray first = transformer.forwardFirstTokens(x, mask, keep);
                assertEquals(new Shape(5, keep, WIDTH), first.getShape());
                float[] expected = full.get(new NDIndex(":, 0:{}, :", keep)).toFloatArray();
                float[] actual = first.toFloatArray();
                float bound = 0;
                for (float v : expected) {
                    bound = Math.max(bound, Math.abs(v));
                }
                assertArrayEquals(expected, actual, 1e-5f * bound, "first " + keep + " rows");
            }
        }
    }

    @Test
    void aCausalMaskIsRefused() {
        try (NDManager manager = TorchRuntime.newManager(Device.cpu(), 1)) {
            Transformer transformer = transformer(manager, 1);
            NDArray x = random(manager, new SplittableRandom(3), 1f, 1, 6, WIDTH);
            assertThrows(
                    IllegalArgumentException.class,
                    () -> transformer.forwardFirstTokens(x, AttentionMask.causal(manager, 6), 1));
        }
    }
}
