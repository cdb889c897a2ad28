package io.clip4stream.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The original's {@code BertAdam} (CLIP4Clip {@code modules/optimization.py}): Adam without bias correction, weight
 * decay added to the update, each parameter's gradient clipped to norm 1 inside the step, and the learning rate scaled by
 * {@code warmup_cosine(step / t_total)} with the step counted from 0.
 *
 * <p>The moments live in the optimizer's own manager; parameters are updated in place through detached views, so the
 * update is never recorded by autograd and the arrays the network holds stay the same objects.
 */
public final class BertAdam implements AutoCloseable {

    private final OptimizerSettings settings;
    private final NDManager manager;
    private final Map<String, NDArray> firstMoments = new LinkedHashMap<>();
    private final Map<String, NDArray> secondMoments = new LinkedHashMap<>();
    private long step;

    /** Creates an optimizer at step 0 whose state lives in a sub-manager of {@code parent}. */
    public BertAdam(OptimizerSettings settings, NDManager parent) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.manager = parent.newSubManager();
    }

    /** Returns the number of steps taken so far. */
    public long step() {
        return step;
    }

    /** Returns the settings. */
    public OptimizerSettings settings() {
        return settings;
    }

    /** Returns the learning-rate factor the next step applies ({@code warmup_cosine} of its progress). */
    public double nextScheduleFactor() {
        return settings.schedule(step);
    }

    /**
     * Applies one step: for each named parameter with its gradient (both the same shape), clip the gradient, move the
     * moments and update the parameter in place. The gradients are modified (clipped), as the original's are.
     */
    public void apply(Map<String, NDArray> parameters, Map<String, NDArray> gradients) {
        double factor = settings.schedule(step);
        for (Map.Entry<String, NDArray> entry : gradients.entrySet()) {
            String name = entry.getKey();
            NDArray parameter = parameters.get(name);
            if (parameter == null) {
                throw new IllegalArgumentException("gradient for unknown parameter " + name);
            }
            NDArray gradient = entry.getValue();
            // The original clips only for a positive bound; -1 (or 0) means no per-parameter clipping.
            if (settings.maxGradNorm() > 0) {
                GradientClipping.clip(List.of(gradient), settings.maxGradNorm());
            }
            ParameterGroup group = ParameterGroup.of(name);
            NDArray m = firstMoments.computeIfAbsent(name, n -> manager.zeros(parameter.getShape()));
            NDArray v = secondMoments.computeIfAbsent(name, n -> manager.zeros(parameter.getShape()));
            try (NDManager scope = manager.newSubManager()) {
                // Every temporary is attached to the step's scope; the in-place results (m, v, the parameter) are not.
                NDArray g = inScope(gradient.stopGradient(), scope);
                m.muli((float) settings.b1()).addi(inScope(g.mul((float) (1 - settings.b1())), scope));
                v.muli((float) settings.b2()).addi(inScope(g.mul(g), scope).muli((float) (1 - settings.b2())));
                NDArray denominator = inScope(v.sqrt(), scope).addi((float) settings.eps());
                NDArray update = inScope(m.div(denominator), scope);
                NDArray data = inScope(parameter.stopGradient(), scope);
                double decay = settings.groupDecay(group);
                if (decay > 0) {
                    update.addi(inScope(data.mul((float) decay), scope));
                }
                double lr = settings.groupLr(group) * factor;
                data.subi(update.muli((float) lr));
            }
        }
        step++;
    }

    private static NDArray inScope(NDArray array, NDManager scope) {
        array.attach(scope);
        return array;
    }

    /** Returns the moments for a checkpoint: {@code m.<name>} and {@code v.<name>}. */
    public Map<String, NDArray> state() {
        Map<String, NDArray> state = new LinkedHashMap<>();
        firstMoments.forEach((name, m) -> state.put("m." + name, m));
        secondMoments.forEach((name, v) -> state.put("v." + name, v));
        return state;
    }

    /** Restores the step count and the moments written by {@link #state()}, copying them into this optimizer. */
    public void restore(long restoredStep, Map<String, float[]> moments, Map<String, NDArray> parameters) {
        firstMoments.values().forEach(NDArray::close);
        secondMoments.values().forEach(NDArray::close);
        firstMoments.clear();
        secondMoments.clear();
        for (Map.Entry<String, float[]> entry : moments.entrySet()) {
            String key = entry.getKey();
            String name = key.substring(2);
            NDArray parameter = parameters.get(name);
            if (parameter == null) {
                throw new IllegalArgumentException("optimizer state for unknown parameter " + name);
            }
            NDArray array = manager.create(entry.getValue(), parameter.getShape());
            if (key.startsWith("m.")) {
                firstMoments.put(name, array);
            } else if (key.startsWith("v.")) {
                secondMoments.put(name, array);
            } else {
                throw new IllegalArgumentException("unknown optimizer state tensor " + key);
            }
        }
        this.step = restoredStep;
    }

    @Override
    public void close() {
        manager.close();
    }
}
