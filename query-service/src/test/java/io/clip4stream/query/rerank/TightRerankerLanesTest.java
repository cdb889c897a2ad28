package io.clip4stream.query.rerank;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.clip4stream.model.tokenize.ClipTokenizer;
import io.clip4stream.query.TinyIndexFixture;
import io.clip4stream.query.engine.QueryEncoder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Candidates split across lanes get the scores one pass over all of them gives, in input order. */
class TightRerankerLanesTest {

    @TempDir
    Path dir;

    @Test
    void shouldScoreCandidatesSplitAcrossLanesAsInOnePass() throws Exception {
        try (TinyIndexFixture fixture = TinyIndexFixture.withTightHead(dir)) {
            scoreSplitAndWhole(fixture);
        }
    }

    private static void scoreSplitAndWhole(TinyIndexFixture fixture) {
        int dim = fixture.info().embedDim();
        SplittableRandom random = new SplittableRandom(3);
        List<float[][]> clips = new ArrayList<>();
        for (int c = 0; c < 37; c++) {
            // Clips of 1 to 12 frames: parts differ in padding as well as in size.
            float[][] frames = new float[1 + c % 12][dim];
            for (float[] frame : frames) {
                for (int d = 0; d < dim; d++) {
                    frame[d] = (float) random.nextGaussian();
                }
            }
            clips.add(frames);
        }
        float[] rawText = new QueryEncoder(fixture.model(), ClipTokenizer.withBundledVocabulary())
                .encode("a man riding a red bike")
                .raw();
        float[] single = new TightReranker(fixture.model(), 5).scores(rawText, clips);
        try (RerankLanes lanes = new RerankLanes("test", 3, 1)) {
            float[] split = new TightReranker(fixture.model(), 5, lanes).scores(rawText, clips);
            assertEquals(clips.size(), split.length);
            assertArrayEquals(single, split, 1e-4f);
            // Too few candidates to split: the same scores too.
            List<float[][]> few = clips.subList(0, TightReranker.MIN_CANDIDATES_PER_LANE);
            assertArrayEquals(
                    new TightReranker(fixture.model(), 5).scores(rawText, few),
                    new TightReranker(fixture.model(), 5, lanes).scores(rawText, few),
                    1e-4f);
        }
    }
}
