package io.clip4stream.model.train;

import ai.djl.pytorch.jni.JniUtils;

/**
 * {@code torch.no_grad()} for the current thread: evaluation inside a training run must not record a graph through the
 * parameters that require gradients (it would hold every intermediate until the scope closes).
 */
public final class InferenceMode implements AutoCloseable {

    private final boolean previous;

    private InferenceMode() {
        this.previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
    }

    /** Turns gradient recording off on this thread until {@link #close()}. */
    public static InferenceMode enter() {
        return new InferenceMode();
    }

    @Override
    public void close() {
        JniUtils.setGradMode(previous);
    }
}
