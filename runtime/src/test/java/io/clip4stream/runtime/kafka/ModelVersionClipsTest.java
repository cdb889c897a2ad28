package io.clip4stream.runtime.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ModelVersionClipsTest {

    @Test
    void shouldNameTheVersionsHoldingClipsWhenTheSearchedOneHoldsNone() {
        ModelVersionClips clips = new ModelVersionClips(Map.of("a", 20L, "c", 1L, "b", 0L));
        assertEquals(
                Optional.of("model version 'b' holds no clips, but the index holds 20 clips under 'a', 1 clip under"
                        + " 'c': those clips were embedded by another model version, so a search with this one cannot"
                        + " find them"),
                clips.emptyVersionNote("b"));
    }

    @Test
    void shouldSayNothingWhenTheSearchedVersionHoldsClipsOrNothingIsIndexed() {
        assertEquals(Optional.empty(), new ModelVersionClips(Map.of("a", 3L, "b", 1L)).emptyVersionNote("b"));
        assertEquals(Optional.empty(), new ModelVersionClips(Map.of()).emptyVersionNote("b"));
        assertEquals(
                Optional.empty(), new ModelVersionClips(Map.of("b", 0L)).startupAdvice("b", v -> Optional.of(true)));
    }

    @Test
    void shouldSumTheInstancesCountsAndAdviseWhatToDo() {
        ModelVersionClips total = ModelVersionClips.sum(List.of(Map.of("a", 2L), Map.of("a", 3L, "b", 0L)));
        assertEquals(Map.of("a", 5L), total.counts());
        String advice = total.startupAdvice("b", v -> Optional.empty()).orElseThrow();
        assertTrue(
                advice.startsWith("model version 'b' holds no clips, but the index holds 5 clips under 'a'"), advice);
        assertTrue(advice.contains("--model DIR") && advice.contains("re-ingest"), advice);
        assertTrue(advice.contains("Whether 'a' shares the visual encoder is not recorded"), advice);
    }

    @Test
    void shouldTellVersionsOfTheSameVisualEncoderFromOthers() {
        ModelVersionClips clips = new ModelVersionClips(Map.of("a", 4L, "c", 2L));
        String advice =
                clips.startupAdvice("b", v -> Optional.of(v.equals("a"))).orElseThrow();
        assertTrue(
                advice.contains("'a' shares the CLIP visual encoder of 'b': the index re-aggregates its stored frame"
                        + " embeddings into 'b' in the background, without re-ingesting"),
                advice);
        assertTrue(advice.contains("'c' has another CLIP visual encoder: its frames must be encoded again"), advice);
    }

    @Test
    void shouldNotAskForReIngestWhenEveryVersionSharesTheVisualEncoder() {
        String advice = new ModelVersionClips(Map.of("a", 4L))
                .startupAdvice("b", v -> Optional.of(true))
                .orElseThrow();
        assertTrue(advice.endsWith("(progress: bin/clip4stream model versions)."), advice);
        assertTrue(!advice.contains("re-ingest the sources"), advice);
    }
}
