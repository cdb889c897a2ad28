package io.clip4stream.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainParityCheckTest {

    @Test
    void everyFixtureOfTheOriginalTrainingCodeIsMatched() throws URISyntaxException {
        Path dir = Path.of(TrainParityCheckTest.class
                        .getResource("/parity/training/manifest.json")
                        .toURI())
                .getParent();
        TrainParityReport report = new TrainParityCheck(1).run(dir);
        System.out.print(report.toText());

        assertEquals(
                List.of(
                        "meanP-freeze0",
                        "seqLSTM-freeze0",
                        "seqTransf-freeze0",
                        "tightTransf-freeze0",
                        "seqLSTM-clip-frozen",
                        "seqTransf-clip-frozen",
                        "tightTransf-clip-frozen"),
                report.fixtures().stream().map(TrainParityReport.Fixture::name).toList());
        for (TrainParityReport.Fixture fixture : report.fixtures()) {
            assertTrue(fixture.passed(), () -> fixture.name() + " failed:\n" + report.toText());
        }
        assertTrue(report.passed());
        assertTrue(report.worstRatio() <= 1.0);
    }
}
