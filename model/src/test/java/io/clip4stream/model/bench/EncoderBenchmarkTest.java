package io.clip4stream.model.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The figures {@code bench encoder} divides by: FLOPs per frame and the matmul baseline. */
class EncoderBenchmarkTest {

    @Test
    void shouldCountAViTB32FrameAsItsMultiplyAddsTimesTwo() {
        // By hand: conv1 49 patches × 3072 × 768, 12 blocks over 50 tokens of width 768 (QKV, out, 4× MLP: 12w² per
        // token, plus 2·n·w for the two attention products), proj 768 × 512; every multiply-add is 2 FLOPs.
        double macs = 49.0 * 3072 * 768 + 12 * 50.0 * (12.0 * 768 * 768 + 2.0 * 50 * 768) + 768.0 * 512;
        assertEquals(2 * macs / 1e9, EncoderBenchmark.VIT_B32_GFLOP_PER_FRAME, 1e-9);
        assertEquals(8.8176, EncoderBenchmark.VIT_B32_GFLOP_PER_FRAME, 1e-3);
    }

    @Test
    void shouldMeasureTheBestOfTheSquareAndTheViTProducts() {
        assertEquals(3, EncoderBenchmark.MATMUL_SHAPES.size());
        assertTrue(EncoderBenchmark.MATMUL_SHAPES.stream()
                .anyMatch(s -> s[0] == EncoderBenchmark.MATMUL_SIZE
                        && s[1] == EncoderBenchmark.MATMUL_SIZE
                        && s[2] == EncoderBenchmark.MATMUL_SIZE));
        // ViT-B/32's MLP at batch 32: 32 × 50 tokens, 768 ↔ 3072.
        assertTrue(EncoderBenchmark.MATMUL_SHAPES.stream().anyMatch(s -> s[0] == 1600 && s[1] == 768 && s[2] == 3072));
        double gflops = EncoderBenchmark.matmulGflops(1, 0.05);
        assertTrue(gflops > 0 && Double.isFinite(gflops), "a rate: " + gflops);
    }
}
