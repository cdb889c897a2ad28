package io.clip4stream.model.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.GradientCollector;
import io.clip4stream.model.nn.TorchRuntime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One optimizer step as the original's {@code train_epoch} takes it: loss of the batch, backward, {@code
 * clip_grad_norm_(all parameters, 1.0)}, {@code BertAdam.step()}, {@code zero_grad()}, and the logit-scale clamp.
 *
 * <p>Single-threaded by design: libtorch's autograd mode is per thread and DJL allows one gradient collector per
 * process.
 */
public final class Trainer implements AutoCloseable {

    private final TrainableModel model;
    private final BertAdam optimizer;
    private final boolean dropout;
    private int skippedInARow;

    /**
     * Creates a trainer for {@code model} with a new optimizer; {@code dropout} false turns the tight head's training
     * dropout off (for comparisons with the original's fixtures, which set it to 0).
     */
    public Trainer(TrainableModel model, OptimizerSettings settings, boolean dropout) {
        this.model = Objects.requireNonNull(model, "model");
        this.optimizer = new BertAdam(settings, model.manager());
        this.dropout = dropout;
    }

    /**
     * Steps in a row whose gradients may be non-finite and skipped before training stops: one such step is a numerical
     * accident worth surviving in a long run, a run of them means the model or the data went wrong.
     */
    public static final int MAX_SKIPPED_STEPS_IN_A_ROW = 3;

    /**
     * The outcome of one step.
     *
     * @param loss the loss before it
     * @param gradientNorm the gradients' global norm before clipping
     * @param scheduleFactor the learning-rate factor
     * @param skipped whether the gradients were not finite, so the parameters and moments were left as they were
     */
    public record StepResult(double loss, double gradientNorm, double scheduleFactor, boolean skipped) {}

    /** Returns the optimizer (its step count and state, for checkpoints). */
    public BertAdam optimizer() {
        return optimizer;
    }

    /** Returns the model being trained. */
    public TrainableModel model() {
        return model;
    }

    /** Takes one full step on {@code batch}. */
    public StepResult step(TrainingBatch batch) {
        double loss = backward(batch);
        return update(loss);
    }

    /** Computes the loss of {@code batch} and accumulates its gradients into the trainable parameters. */
    public double backward(TrainingBatch batch) {
        try (NDManager scope = model.manager().newSubManager();
                GradientCollector collector =
                        Engine.getEngine(TorchRuntime.ENGINE).newGradientCollector()) {
            NDArray loss = SymmetricCrossEntropy.loss(model.similarity(batch, scope, dropout));
            double value = loss.getFloat();
            if (!Double.isFinite(value)) {
                throw new ArithmeticException("the training loss is " + value + " at optimizer step " + optimizer.step()
                        + "; lower the learning rate or check the data");
            }
            collector.backward(loss);
            return value;
        }
    }

    /**
     * Returns copies of the current gradients of the trainable parameters (what {@link #backward} accumulated), owned by
     * {@code scope}.
     */
    public Map<String, NDArray> gradients(NDManager scope) {
        Map<String, NDArray> copies = new LinkedHashMap<>();
        for (String name : model.trainable()) {
            try (NDArray gradient = model.parameters().get(name).getGradient()) {
                NDArray copy = gradient.duplicate();
                copy.attach(scope);
                copies.put(name, copy);
            }
        }
        return copies;
    }

    /**
     * Clips, steps the optimizer, zeroes the gradients and clamps the logit scale; {@code loss} is reported back.
     * Gradients with a NaN or infinite value are not applied (they would turn every parameter NaN, and the original
     * would go on training a NaN model): they are zeroed, the optimizer does not step, and the result says so.
     *
     * @throws ArithmeticException when {@value #MAX_SKIPPED_STEPS_IN_A_ROW} steps in a row had non-finite gradients
     */
    public StepResult update(double loss) {
        double factor = optimizer.nextScheduleFactor();
        Map<String, NDArray> gradients = new LinkedHashMap<>();
        try {
            for (String name : model.trainable()) {
                gradients.put(name, model.parameters().get(name).getGradient());
            }
            double norm = GradientClipping.globalNorm(new ArrayList<>(gradients.values()));
            if (!Double.isFinite(norm)) {
                skippedInARow++;
                for (NDArray gradient : gradients.values()) {
                    // A fill, not a product: NaN times zero is NaN.
                    gradient.set(new NDIndex("..."), 0f);
                }
                if (skippedInARow >= MAX_SKIPPED_STEPS_IN_A_ROW) {
                    throw new ArithmeticException("the gradients were not finite (global norm " + norm + ") in "
                            + skippedInARow + " steps in a row, up to optimizer step " + optimizer.step()
                            + "; lower the learning rate or check the data");
                }
                return new StepResult(loss, norm, factor, true);
            }
            skippedInARow = 0;
            if (optimizer.settings().globalClipNorm() > 0) {
                GradientClipping.clip(
                        new ArrayList<>(gradients.values()),
                        optimizer.settings().globalClipNorm(),
                        norm);
            }
            optimizer.apply(model.parameters(), gradients);
            // zero_grad(): the gradients are views of the parameters' .grad, so zeroing them in place resets .grad.
            for (NDArray gradient : gradients.values()) {
                gradient.muli(0f);
            }
            model.clampLogitScale(optimizer.settings().logitScaleMax());
            return new StepResult(loss, norm, factor, false);
        } finally {
            gradients.values().forEach(NDArray::close);
        }
    }

    @Override
    public void close() {
        optimizer.close();
    }
}
