package io.clip4stream.app.train;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clip4stream.model.metrics.RetrievalMetrics;
import java.util.Locale;

/** Renders retrieval figures as the original prints them (R@1, R@5, R@10, MdR, MnR) and as JSON. */
public final class EvaluationReport {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private EvaluationReport() {}

    /** Returns {@code {"clips", "text_to_video": {...}, "video_to_text": {...}}}. */
    public static ObjectNode toJson(RetrievalEvaluator.Result result) {
        ObjectNode node = JSON.createObjectNode();
        node.put("clips", result.clips());
        node.set("text_to_video", metrics(result.textToVideo()));
        node.set("video_to_text", metrics(result.videoToText()));
        return node;
    }

    /** Returns one line: text→video and video→text R@1/R@5/R@10/MdR/MnR. */
    public static String oneLine(RetrievalEvaluator.Result result) {
        return String.format(
                Locale.ROOT,
                "text->video %s | video->text %s (%d clips)",
                figures(result.textToVideo()),
                figures(result.videoToText()),
                result.clips());
    }

    /** Returns a table with one row per direction. */
    public static String table(RetrievalEvaluator.Result result) {
        StringBuilder text = new StringBuilder(String.format(
                Locale.ROOT, "%-14s %6s %6s %6s %6s %7s%n", "direction", "R@1", "R@5", "R@10", "MdR", "MnR"));
        row(text, "text->video", result.textToVideo());
        row(text, "video->text", result.videoToText());
        text.append(String.format(Locale.ROOT, "%d clips%n", result.clips()));
        return text.toString();
    }

    private static void row(StringBuilder text, String name, RetrievalMetrics m) {
        text.append(String.format(
                Locale.ROOT,
                "%-14s %6.1f %6.1f %6.1f %6.1f %7.1f%n",
                name,
                m.r1(),
                m.r5(),
                m.r10(),
                m.medianRank(),
                m.meanRank()));
    }

    private static String figures(RetrievalMetrics m) {
        return String.format(
                Locale.ROOT,
                "R@1 %.1f R@5 %.1f R@10 %.1f MdR %.1f MnR %.1f",
                m.r1(),
                m.r5(),
                m.r10(),
                m.medianRank(),
                m.meanRank());
    }

    private static ObjectNode metrics(RetrievalMetrics m) {
        ObjectNode node = JSON.createObjectNode();
        node.put("r1", m.r1());
        node.put("r5", m.r5());
        node.put("r10", m.r10());
        node.put("median_rank", m.medianRank());
        node.put("mean_rank", m.meanRank());
        return node;
    }
}
