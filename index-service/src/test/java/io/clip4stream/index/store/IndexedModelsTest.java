package io.clip4stream.index.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.index.store.IndexedModels.IndexedModel;
import io.clip4stream.model.spec.Preprocessing;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IndexedModelsTest {

    private static final Preprocessing CLIP = Preprocessing.clip(224);
    private static final Preprocessing MMACTION = new Preprocessing(256, "bilinear", 224, "clip");
    private static final IndexedModel OPENAI = new IndexedModel("openai/ViT-B-32", "1", 512, CLIP);

    @TempDir
    Path temp;

    @Test
    void shouldReadNothingWhereNothingWasRecordedAndReadBackWhatWasWritten() {
        Path file = temp.resolve("index.models.json");
        assertEquals(List.of(), IndexedModels.read(file).models());
        IndexedModels written =
                new IndexedModels(List.of(OPENAI, new IndexedModel("mmaction2/clip4clip", "2", 512, MMACTION)));
        written.write(file);
        assertEquals(written, IndexedModels.read(file));
    }

    @Test
    void shouldAcceptTheRecordedModelAndAnotherVersionOfTheSameWidth() {
        IndexedModels recorded = new IndexedModels(List.of(OPENAI));
        assertEquals(Optional.empty(), recorded.mismatch(OPENAI));
        assertEquals(Optional.empty(), new IndexedModels(List.of()).mismatch(OPENAI));
        // Another version with other preprocessing is how an index moves to another model.
        assertEquals(Optional.empty(), recorded.mismatch(new IndexedModel("mmaction2/clip4clip", "2", 512, MMACTION)));
    }

    @Test
    void shouldRefuseAnotherWidthNamingBothModels() {
        String reason = new IndexedModels(List.of(OPENAI))
                .mismatch(new IndexedModel("openai/ViT-L-14", "3", 768, CLIP))
                .orElseThrow();
        assertTrue(
                reason.contains("openai/ViT-B-32 1 (width 512") && reason.contains("openai/ViT-L-14 3 (width 768"),
                reason);
    }

    @Test
    void shouldRefuseTheSameVersionPreparedAnotherWayNamingBothPreprocessings() {
        String reason = new IndexedModels(List.of(OPENAI))
                .mismatch(new IndexedModel("mmaction2/clip4clip", "1", 512, MMACTION))
                .orElseThrow();
        assertTrue(reason.contains(CLIP.describe()) && reason.contains(MMACTION.describe()), reason);
    }

    @Test
    void shouldReplaceTheRecordOfAVersionAndAppendANewOne() {
        IndexedModel second = new IndexedModel("mmaction2/clip4clip", "2", 512, MMACTION);
        IndexedModel retrained = new IndexedModel("openai/ViT-B-32-retrained", "1", 512, CLIP);
        IndexedModels models = new IndexedModels(List.of(OPENAI)).with(second).with(retrained);
        assertEquals(List.of(retrained, second), models.models());
    }
}
