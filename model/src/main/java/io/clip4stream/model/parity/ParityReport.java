package io.clip4stream.model.parity;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The outcome of a parity run: one entry per expected tensor and one per similarity ranking.
 *
 * @param tensors per-tensor errors against the fixture's bounds
 * @param rankings per-head ranking comparisons
 */
public record ParityReport(List<TensorParity> tensors, List<RankingParity> rankings) {

    /** Copies the lists. */
    public ParityReport {
        tensors = List.copyOf(tensors);
        rankings = List.copyOf(rankings);
    }

    /** Returns whether every tensor is within its bound and every ranking is identical. */
    public boolean passed() {
        return !tensors.isEmpty()
                && tensors.stream().allMatch(TensorParity::passed)
                && rankings.stream().allMatch(RankingParity::identical);
    }

    /** Returns the reports of several fixtures as one. */
    public static ParityReport combine(List<ParityReport> reports) {
        List<TensorParity> tensors = new ArrayList<>();
        List<RankingParity> rankings = new ArrayList<>();
        for (ParityReport report : reports) {
            tensors.addAll(report.tensors());
            rankings.addAll(report.rankings());
        }
        return new ParityReport(tensors, rankings);
    }

    /** Renders a fixed-width table, one tensor per line, then the rankings and the verdict. */
    public String toText() {
        StringBuilder text = new StringBuilder(String.format(
                Locale.ROOT, "%-14s %-28s %12s %12s %8s  %s%n", "fixture", "tensor", "max|err|", "bound", "ratio", ""));
        for (TensorParity t : tensors) {
            text.append(String.format(
                    Locale.ROOT,
                    "%-14s %-28s %12.3e %12.3e %8.4f  %s%n",
                    t.fixture(),
                    t.tensor(),
                    t.maxAbsError(),
                    t.bound(),
                    t.ratio(),
                    t.passed() ? "ok" : "FAIL"));
        }
        for (RankingParity r : rankings) {
            text.append(String.format(
                    Locale.ROOT,
                    "%-14s %-28s %s%n",
                    r.fixture(),
                    r.head() + " ranking",
                    r.identical() ? "identical" : "DIFFERENT"));
        }
        text.append(passed() ? "PARITY OK" : "PARITY FAILED").append(System.lineSeparator());
        return text.toString();
    }

    /** Renders the report as JSON ({@code passed}, {@code tensors[]}, {@code rankings[]}). */
    public String toJson() {
        JsonMapper json = JsonMapper.builder().build();
        ObjectNode root = json.createObjectNode();
        root.put("passed", passed());
        ArrayNode tensorArray = root.putArray("tensors");
        for (TensorParity t : tensors) {
            ObjectNode node = tensorArray.addObject();
            node.put("fixture", t.fixture());
            node.put("tensor", t.tensor());
            node.put("max_abs_error", t.maxAbsError());
            node.put("bound", t.bound());
            node.put("ratio", Double.isFinite(t.ratio()) ? t.ratio() : Double.MAX_VALUE);
            node.put("passed", t.passed());
        }
        ArrayNode rankingArray = root.putArray("rankings");
        for (RankingParity r : rankings) {
            ObjectNode node = rankingArray.addObject();
            node.put("fixture", r.fixture());
            node.put("head", r.head());
            node.put("identical", r.identical());
        }
        try {
            return json.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render the parity report as JSON", e);
        }
    }
}
