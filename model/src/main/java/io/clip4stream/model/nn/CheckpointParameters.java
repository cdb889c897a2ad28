package io.clip4stream.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.clip4stream.model.weights.Checkpoint;
import java.util.Objects;

/** Copies checkpoint tensors into float32 NDArrays of the model's manager. */
public final class CheckpointParameters implements ParameterSource {

    private final Checkpoint checkpoint;
    private final NDManager manager;

    /** Binds tensors of {@code checkpoint} into arrays owned by {@code manager}. */
    public CheckpointParameters(Checkpoint checkpoint, NDManager manager) {
        this.checkpoint = Objects.requireNonNull(checkpoint, "checkpoint");
        this.manager = Objects.requireNonNull(manager, "manager");
    }

    @Override
    public NDArray tensor(String name) {
        long[] shape = checkpoint.info(name).shape();
        NDArray array = manager.create(checkpoint.floats(name), new Shape(shape));
        array.setName(name);
        return array;
    }
}
