package io.clip4stream.model.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Compares with {@code metrics.compute_metrics} run by the original code on float32 matrices. */
class RetrievalMetricsParityTest {

    static JsonNode fixture() throws IOException {
        try (InputStream in =
                RetrievalMetricsParityTest.class.getResourceAsStream("/parity/metrics/metrics_cases.json")) {
            return JsonMapper.builder().build().readTree(in);
        }
    }

    static Stream<Arguments> cases() throws IOException {
        List<Arguments> out = new ArrayList<>();
        for (JsonNode node : fixture().get("cases")) {
            out.add(Arguments.of(node.get("name").textValue(), node));
        }
        return out.stream();
    }

    private static float[][] matrix(JsonNode rows) {
        float[][] out = new float[rows.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = new float[rows.get(i).size()];
            for (int j = 0; j < out[i].length; j++) {
                // The fixture's values are exact float32 numbers written as decimals.
                out[i][j] = (float) rows.get(i).get(j).doubleValue();
            }
        }
        return out;
    }

    private static void assertMetrics(JsonNode expected, RetrievalMetrics actual) {
        int[] cols = new int[expected.get("cols").size()];
        for (int i = 0; i < cols.length; i++) {
            cols[i] = expected.get("cols").get(i).intValue();
        }
        assertArrayEquals(cols, actual.ranks());
        assertEquals(expected.get("R1").doubleValue(), actual.r1());
        assertEquals(expected.get("R5").doubleValue(), actual.r5());
        assertEquals(expected.get("R10").doubleValue(), actual.r10());
        assertEquals(expected.get("MR").doubleValue(), actual.medianRank());
        assertEquals(expected.get("MedianR").doubleValue(), actual.medianRank());
        assertEquals(expected.get("MeanR").doubleValue(), actual.meanRank());
    }

    @Test
    void shouldCoverAllFourFixtureMatrices() throws IOException {
        assertEquals(4, fixture().get("cases").size());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void shouldMatchTextToVideoMetrics(String name, JsonNode expected) {
        assertMetrics(expected.get("t2v"), RetrievalMetrics.textToVideo(matrix(expected.get("sim"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void shouldMatchVideoToTextMetrics(String name, JsonNode expected) {
        assertMetrics(expected.get("v2t"), RetrievalMetrics.videoToText(matrix(expected.get("sim"))));
    }
}
