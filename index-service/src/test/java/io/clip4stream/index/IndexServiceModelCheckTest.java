package io.clip4stream.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.index.store.IndexedModels;
import io.clip4stream.index.store.IndexedModels.IndexedModel;
import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.ModelOptions;
import io.clip4stream.model.spec.Preprocessing;
import io.clip4stream.model.weights.TinyModelGenerator;
import io.clip4stream.model.weights.TinyModelShape;
import io.clip4stream.runtime.config.Env;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The index service refuses, before it touches Kafka, a model that does not fit the vectors its store holds. */
class IndexServiceModelCheckTest {

    @TempDir
    Path temp;

    private Clip4ClipModel tinyModel() throws IOException {
        Path dir = temp.resolve("model");
        new TinyModelGenerator(7).generate(dir, TinyModelShape.defaults(), "tiny");
        return Clip4ClipModel.load(dir, ModelOptions.defaults().withDevice(ModelOptions.DeviceChoice.CPU));
    }

    private IndexConfig config() {
        // Nothing listens on this port: a service that got as far as Kafka would fail differently.
        return IndexConfig.fromEnv(new Env(Map.of(
                "CLIP4S_INDEX_STATE_DIR",
                temp.resolve("state").toString(),
                "CLIP4S_KAFKA_BOOTSTRAP_SERVERS",
                "127.0.0.1:9")));
    }

    @Test
    void shouldRefuseAModelOfAnotherWidthThanTheStoredVectorsNamingBoth() throws IOException {
        try (Clip4ClipModel model = tinyModel()) {
            IndexService service = new IndexService(config(), model, null);
            int width = model.info().embedDim();
            IndexedModel stored = new IndexedModel("openai/ViT-L-14", "9", width + 1, Preprocessing.clip(224));
            new IndexedModels(List.of(stored)).write(service.indexedModelsFile());
            IllegalStateException e = assertThrows(IllegalStateException.class, service::start);
            assertTrue(
                    e.getMessage().contains("openai/ViT-L-14 9 (width " + (width + 1))
                            && e.getMessage()
                                    .contains(model.info().modelId() + " "
                                            + model.info().modelVersion() + " (width " + width),
                    e.getMessage());
            // The refused model is not recorded as one the index holds.
            assertEquals(
                    List.of(stored),
                    IndexedModels.read(service.indexedModelsFile()).models());
        }
    }

    @Test
    void shouldRefuseTheStoredVersionPreparedAnotherWay() throws IOException {
        try (Clip4ClipModel model = tinyModel()) {
            IndexService service = new IndexService(config(), model, null);
            Preprocessing other = new Preprocessing(
                    model.preprocessing().cropSize() + 8,
                    "bilinear",
                    model.preprocessing().cropSize(),
                    "clip");
            new IndexedModels(List.of(new IndexedModel(
                            model.info().modelId(),
                            model.info().modelVersion(),
                            model.info().embedDim(),
                            other)))
                    .write(service.indexedModelsFile());
            IllegalStateException e = assertThrows(IllegalStateException.class, service::start);
            assertTrue(
                    e.getMessage().contains(other.describe())
                            && e.getMessage().contains(model.preprocessing().describe()),
                    e.getMessage());
        }
    }
}
