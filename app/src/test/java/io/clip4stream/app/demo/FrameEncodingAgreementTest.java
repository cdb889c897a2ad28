package io.clip4stream.app.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.ModelOptions;
import io.clip4stream.schemas.frames.FrameEncoding;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bundled default model's frames stored in the encoding its config.json names re-rank held-out demo-world captions
 * as float32 frames do: the same top-10 order and scores within 1e-3 of the query's scale (of the fused score and of
 * the tight logit alone).
 */
class FrameEncodingAgreementTest {

    /** 30 scenes, 150 captions: the queries, each re-ranking 20 candidates. */
    private static final int SCENES = 30;

    @TempDir
    static Path dir;

    private static Clip4ClipModel model;

    @BeforeAll
    static void load() {
        model = Clip4ClipModel.load(DefaultModel.ensure(dir.resolve("default")), ModelOptions.defaults());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void theDefaultModelsEncodingKeepsItsRerankedOrder() {
        assertEquals(Optional.of("float16"), model.card().frameEncoding(), "config.json's frame_encoding");
        FrameEncoding chosen =
                FrameEncoding.fromName(model.card().frameEncoding().orElseThrow());

        FrameEncodingAgreement.Agreement agreement = FrameEncodingAgreement.measure(
                        model, DemoWorld.DEFAULT_SEED + 1, SCENES, List.of(chosen))
                .getFirst();

        DemoWorld world = new DemoWorld(DemoWorld.DEFAULT_SEED + 1);
        int captions = 0;
        for (int s = 0; s < SCENES; s++) {
            captions += world.scene(DemoWorld.Split.HELD_OUT, s).captions().size();
        }
        assertEquals(captions, agreement.queries(), "every caption of every scene is a query");
        assertEquals(1.0, agreement.top10Agreement(), agreement.toString());
        assertTrue(agreement.maxRelativeScoreChange() <= 1e-3, agreement.toString());
        assertTrue(agreement.maxRelativeTightChange() <= 1e-3, agreement.toString());
        assertTrue(agreement.maxAbsoluteTightChange() > 0, "float16 frames are not the float32 ones");
    }

    @Test
    void float32IsTheBaselineItselfAndInt8MovesScoresMore() {
        List<FrameEncodingAgreement.Agreement> agreements = FrameEncodingAgreement.measure(
                model, DemoWorld.DEFAULT_SEED + 1, FrameEncodingAgreement.TOP, List.of(FrameEncoding.values()));

        FrameEncodingAgreement.Agreement float32 = agreements.get(0);
        assertEquals(1.0, float32.top10Agreement());
        assertEquals(0.0, float32.maxAbsoluteTightChange());
        assertEquals(0.0, float32.maxSwappedGap());
        assertTrue(
                agreements.get(2).maxAbsoluteTightChange() > agreements.get(1).maxAbsoluteTightChange(),
                agreements.toString());
    }

    @Test
    void int10ReordersOnlyCandidatesCloserThanItsOwnErrorWithErrorsBetweenFloat16AndInt8() {
        List<FrameEncodingAgreement.Agreement> agreements = FrameEncodingAgreement.measure(
                model,
                DemoWorld.DEFAULT_SEED + 1,
                SCENES,
                List.of(FrameEncoding.FLOAT16, FrameEncoding.INT8, FrameEncoding.INT10));
        FrameEncodingAgreement.Agreement float16 = agreements.get(0);
        FrameEncodingAgreement.Agreement int8 = agreements.get(1);
        FrameEncodingAgreement.Agreement int10 = agreements.get(2);

        // Measured 2026-12-07: one of 150 orders swaps two candidates 1.3e-6 of the query's scale apart (a tie).
        assertTrue(int10.top10Agreement() >= 0.99, int10.toString());
        assertTrue(int10.maxSwappedGap() < int10.maxRelativeScoreChange(), int10.toString());
        assertTrue(int10.maxRelativeScoreChange() <= 1e-3, int10.toString());
        assertTrue(int10.maxAbsoluteTightChange() > float16.maxAbsoluteTightChange(), agreements.toString());
        // Two more bits than int8: about a quarter of its error (a third leaves room for rounding luck).
        assertTrue(int10.maxAbsoluteTightChange() < int8.maxAbsoluteTightChange() / 3, agreements.toString());
    }
}
