package io.clip4stream.model.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VisualEncoderFingerprintTest {

    @TempDir
    Path temp;

    @Test
    void shouldMatchModelsThatShareTheVisualEncoderWhateverTheirHeadsAndVersions() throws IOException {
        TinyModelGenerator generator = new TinyModelGenerator(7);
        Path full = temp.resolve("full");
        generator.generate(full, TinyModelShape.defaults(), "tiny");
        // Another version of the same CLIP: no tight head, and the text side changed.
        Map<String, TensorData> tensors = new LinkedHashMap<>(generator.tensors(TinyModelShape.defaults()));
        tensors.keySet().removeIf(name -> name.startsWith("cross."));
        tensors.replaceAll((name, tensor) -> name.startsWith("clip.transformer.") ? zeros(tensor) : tensor);
        Path headOnly = temp.resolve("head-only");
        ModelDirectory config = ModelDirectory.open(full);
        ModelDirectory.write(headOnly, config.config(), tensors);

        String fingerprint = VisualEncoderFingerprint.of(full);
        assertTrue(fingerprint.matches("sha256:[0-9a-f]{64}"), fingerprint);
        assertEquals(fingerprint, VisualEncoderFingerprint.of(headOnly));
    }

    @Test
    void shouldTellAnotherVisualEncoderApart() throws IOException {
        Path a = temp.resolve("a");
        Path b = temp.resolve("b");
        new TinyModelGenerator(7).generate(a, TinyModelShape.defaults(), "tiny");
        new TinyModelGenerator(8).generate(b, TinyModelShape.defaults(), "tiny");
        assertNotEquals(VisualEncoderFingerprint.of(a), VisualEncoderFingerprint.of(b));
    }

    private static TensorData zeros(TensorData tensor) {
        return new TensorData(tensor.dtype(), tensor.shape(), new byte[tensor.littleEndianBytes().length]);
    }
}
