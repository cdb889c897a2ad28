package io.clip4stream.model.parity;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ParityCheckTest {

    /** Every tensor the original code wrote for the tiny fixtures; each must be computed and compared. */
    private static final Set<String> EXPECTED_TENSORS = Set.of(
            "visual_output",
            "visual_cls_pre_ln_post",
            "text_output",
            "text_hidden",
            "logit_scale",
            "logit_scale_exp",
            "meanP.video_vectors",
            "meanP.sim",
            "seqLSTM.video_vectors",
            "seqLSTM.sim",
            "seqLSTM.lstm_out",
            "seqTransf.video_vectors",
            "seqTransf.sim",
            "seqTransf.transformer_out",
            "tightTransf.sim",
            "tightTransf.pooled_output");

    private final ParityCheck check = new ParityCheck(1);

    @ParameterizedTest
    @ValueSource(strings = {"model-tiny-2d", "model-tiny-3d"})
    void everyTensorMatchesTheOriginalWithinTheFixtureBound(String fixture) throws URISyntaxException {
        ParityReport report = check.run(fixtureDir(fixture));
        System.out.print(report.toText());

        assertEquals(
                EXPECTED_TENSORS,
                report.tensors().stream().map(TensorParity::tensor).collect(Collectors.toSet()));
        assertAll(report.tensors().stream()
                .map(t -> () -> assertTrue(
                        t.passed(),
                        () -> fixture + " " + t.tensor() + ": max|err| " + t.maxAbsError() + " > bound " + t.bound())));
        assertEquals(
                List.of("meanP", "seqLSTM", "seqTransf", "tightTransf"),
                report.rankings().stream().map(RankingParity::head).sorted().toList());
        assertTrue(report.rankings().stream().allMatch(RankingParity::identical), report::toText);
        assertTrue(report.passed());
    }

    @ParameterizedTest
    @ValueSource(strings = {"model-tiny-2d", "model-tiny-3d"})
    void bundledFixturesGiveTheSameReportAsTheTestResources(String fixture) throws URISyntaxException {
        ParityReport bundled = check.runBundled(fixture);
        ParityReport fromFiles = check.run(fixtureDir(fixture));

        assertTrue(bundled.passed(), bundled::toText);
        assertEquals(fromFiles, bundled);
    }

    @ParameterizedTest
    @ValueSource(strings = {"model-tiny-2d"})
    void jsonReportNamesEveryTensor(String fixture) {
        String json = check.runBundled(fixture).toJson();

        assertTrue(json.contains("\"passed\" : true"), json);
        for (String tensor : EXPECTED_TENSORS) {
            assertTrue(json.contains("\"" + tensor + "\""), tensor);
        }
        assertFalse(json.contains("FAIL"));
    }

    static Path fixtureDir(String fixture) throws URISyntaxException {
        return Path.of(ParityCheckTest.class.getResource("/parity/" + fixture).toURI());
    }
}
