package io.clip4stream.model.convert;

import io.clip4stream.model.weights.TensorDType;
import java.util.Objects;

/**
 * A storage a PyTorch pickle refers to by persistent id: its element type and the archive record holding its bytes.
 *
 * @param dtype the element type, from the storage class ({@code torch.FloatStorage} is F32)
 * @param key the record name under the archive's {@code data/} folder
 * @param elements the number of elements the pickle declares
 */
public record TorchStorage(TensorDType dtype, String key, long elements) {

    /** Validates the fields. */
    public TorchStorage {
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(key, "key");
        if (elements < 0) {
            throw new IllegalArgumentException("storage " + key + " declares " + elements + " elements");
        }
    }
}
