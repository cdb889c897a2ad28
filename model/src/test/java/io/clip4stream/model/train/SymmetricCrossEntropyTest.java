package io.clip4stream.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.clip4stream.model.nn.TorchRuntime;
import org.junit.jupiter.api.Test;

class SymmetricCrossEntropyTest {

    /** {@code mean_i(log(sum_j exp(s[i][j])) - s[i][i])}, in double. */
    private static double crossEn(double[][] s) {
        double sum = 0;
        for (int i = 0; i < s.length; i++) {
            double exp = 0;
            for (double value : s[i]) {
                exp += Math.exp(value);
            }
            sum += Math.log(exp) - s[i][i];
        }
        return sum / s.length;
    }

    private static double[][] transpose(double[][] s) {
        double[][] t = new double[s[0].length][s.length];
        for (int i = 0; i < s.length; i++) {
            for (int j = 0; j < s[i].length; j++) {
                t[j][i] = s[i][j];
            }
        }
        return t;
    }

    private static float loss(double[][] s) {
        float[] flat = new float[s.length * s[0].length];
        for (int i = 0; i < s.length; i++) {
            for (int j = 0; j < s[i].length; j++) {
                flat[i * s[i].length + j] = (float) s[i][j];
            }
        }
        try (NDManager manager = TorchRuntime.newManager(Device.cpu(), 1)) {
            NDArray similarity = manager.create(flat, new Shape(s.length, s[0].length));
            return SymmetricCrossEntropy.loss(similarity).getFloat();
        }
    }

    @Test
    void twoByTwo() {
        double[][] s = {{1, 2}, {0.5, -1}};
        // Rows: log(e + e²) - 1 = 1.3132617, log(e^0.5 + e^-1) + 1 = 1.7014133; columns: log(e + e^0.5) - 1 =
        // 0.4740770, log(e² + e^-1) + 1 = 3.0485873.
        assertEquals(1.5073374827504875, crossEn(s), 1e-15);
        assertEquals(1.7613321678769243, crossEn(transpose(s)), 1e-15);

        assertEquals(1.6343348253137058, loss(s), 1e-6);
    }

    @Test
    void threeByThree() {
        double[][] s = {{2, 0, 1}, {0.5, 1, -1}, {0, 3, 0.25}};
        assertEquals(1.2734213649320034, crossEn(s), 1e-15);
        assertEquals(1.2336691533205821, crossEn(transpose(s)), 1e-15);

        assertEquals(1.2535452591262928, loss(s), 1e-6);
    }

    @Test
    void equalScoresGiveTheLogOfTheBatchSize() {
        assertEquals(Math.log(3), loss(new double[][] {{4, 4, 4}, {4, 4, 4}, {4, 4, 4}}), 1e-6);
    }

    @Test
    void aNonSquareMatrixIsRejected() {
        try (NDManager manager = TorchRuntime.newManager(Device.cpu(), 1)) {
            NDArray wide = manager.zeros(new Shape(2, 3));
            NDArray vector = manager.zeros(new Shape(3));
            assertThrows(IllegalArgumentException.class, () -> SymmetricCrossEntropy.loss(wide));
            assertThrows(IllegalArgumentException.class, () -> SymmetricCrossEntropy.loss(vector));
        }
    }
}
