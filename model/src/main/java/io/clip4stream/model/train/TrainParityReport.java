package io.clip4stream.model.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clip4stream.model.parity.TensorParity;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The outcome of {@link TrainParityCheck}: per training fixture, every compared tensor (losses, first-step gradients,
 * three-step deltas), whether the trainable set is the original's, and whether frozen parameters stayed bit-identical.
 *
 * @param fixtures one entry per fixture
 */
public record TrainParityReport(List<Fixture> fixtures) {

    /** Copies the list. */
    public TrainParityReport {
        fixtures = List.copyOf(fixtures);
    }

    /**
     * One fixture's result.
     *
     * @param name the fixture name, such as {@code seqTransf-freeze0}
     * @param tensors every compared tensor
     * @param trainableProblem empty when the trainable parameters are exactly the original's, otherwise what differs
     * @param frozenChanged the frozen parameters whose value changed (must be none)
     */
    public record Fixture(
            String name, List<TensorParity> tensors, String trainableProblem, List<String> frozenChanged) {

        /** Copies the lists. */
        public Fixture {
            tensors = List.copyOf(tensors);
            frozenChanged = List.copyOf(frozenChanged);
        }

        /** Returns the tensor with the largest error-to-bound ratio. */
        public TensorParity worst() {
            return tensors.stream()
                    .max(Comparator.comparingDouble(TensorParity::ratio))
                    .orElseThrow(() -> new IllegalStateException("fixture " + name + " compared no tensor"));
        }

        /** Returns whether every tensor is within bound, the trainable set matches and nothing frozen moved. */
        public boolean passed() {
            return !tensors.isEmpty()
                    && tensors.stream().allMatch(TensorParity::passed)
                    && trainableProblem.isEmpty()
                    && frozenChanged.isEmpty();
        }
    }

    /** Returns whether every fixture passed. */
    public boolean passed() {
        return !fixtures.isEmpty() && fixtures.stream().allMatch(Fixture::passed);
    }

    /** Returns the largest error-to-bound ratio of all fixtures. */
    public double worstRatio() {
        return fixtures.stream().mapToDouble(f -> f.worst().ratio()).max().orElse(Double.POSITIVE_INFINITY);
    }

    /** Renders one line per fixture (tensors compared, worst tensor and ratio, frozen check), then the verdict. */
    public String toText() {
        StringBuilder text = new StringBuilder(String.format(
                Locale.ROOT, "%-26s %7s  %-52s %8s  %s%n", "fixture", "tensors", "worst tensor", "ratio", ""));
        for (Fixture f : fixtures) {
            TensorParity worst = f.worst();
            String verdict = f.passed() ? "ok" : "FAIL";
            if (!f.trainableProblem().isEmpty()) {
                verdict += " (trainable: " + f.trainableProblem() + ")";
            }
            if (!f.frozenChanged().isEmpty()) {
                verdict += " (frozen parameters changed: " + f.frozenChanged() + ")";
            }
            long failed = f.tensors().stream().filter(t -> !t.passed()).count();
            if (failed > 0) {
                verdict += " (" + failed + " tensors out of bounds)";
            }
            text.append(String.format(
                    Locale.ROOT,
                    "%-26s %7d  %-52s %8.4f  %s%n",
                    f.name(),
                    f.tensors().size(),
                    worst.tensor(),
                    worst.ratio(),
                    verdict));
        }
        text.append(String.format(Locale.ROOT, "worst ratio %.4f%n", worstRatio()));
        text.append(passed() ? "TRAIN PARITY OK" : "TRAIN PARITY FAILED").append(System.lineSeparator());
        return text.toString();
    }

    /** Renders the report as JSON: {@code passed}, {@code worst_ratio}, and per fixture its tensors. */
    public String toJson() {
        JsonMapper json = JsonMapper.builder().build();
        ObjectNode root = json.createObjectNode();
        root.put("passed", passed());
        root.put("worst_ratio", finite(worstRatio()));
        ArrayNode list = root.putArray("fixtures");
        for (Fixture f : fixtures) {
            ObjectNode node = list.addObject();
            node.put("fixture", f.name());
            node.put("passed", f.passed());
            node.put("worst_tensor", f.worst().tensor());
            node.put("worst_ratio", finite(f.worst().ratio()));
            node.put("trainable_matches", f.trainableProblem().isEmpty());
            if (!f.trainableProblem().isEmpty()) {
                node.put("trainable_problem", f.trainableProblem());
            }
            ArrayNode frozen = node.putArray("frozen_changed");
            f.frozenChanged().forEach(frozen::add);
            ArrayNode tensors = node.putArray("tensors");
            for (TensorParity t : f.tensors()) {
                ObjectNode tensor = tensors.addObject();
                tensor.put("tensor", t.tensor());
                tensor.put("max_abs_error", finite(t.maxAbsError()));
                tensor.put("bound", t.bound());
                tensor.put("ratio", finite(t.ratio()));
                tensor.put("passed", t.passed());
            }
        }
        try {
            return json.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render the training parity report as JSON", e);
        }
    }

    private static double finite(double value) {
        return Double.isFinite(value) ? value : Double.MAX_VALUE;
    }
}
