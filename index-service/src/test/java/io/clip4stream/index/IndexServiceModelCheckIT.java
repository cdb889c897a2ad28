package io.clip4stream.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.ModelOptions;
import io.clip4stream.model.weights.TinyModelGenerator;
import io.clip4stream.model.weights.TinyModelShape;
import io.clip4stream.runtime.config.Env;
import io.clip4stream.runtime.kafka.KafkaClientSettings;
import io.clip4stream.runtime.kafka.ModelVersionLog;
import io.clip4stream.runtime.kafka.ServedModel;
import io.clip4stream.runtime.kafka.TopicProvisioner;
import io.clip4stream.testkit.EmbeddedKafka;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The index service refuses, before it touches its store, a model that does not fit the model versions recorded on
 * the deployment's {@code models} topic, whatever its local disk holds (a fresh disk included).
 */
class IndexServiceModelCheckIT {
    @RegisterExtension
    static final EmbeddedKafka KAFKA = EmbeddedKafka.singleNode();

    @TempDir
    Path temp;

    private final String prefix = "mc-" + UUID.randomUUID().toString().substring(0, 8) + ".";

    private Clip4ClipModel tinyModel() throws IOException {
        Path dir = temp.resolve("model");
        new TinyModelGenerator(7).generate(dir, TinyModelShape.defaults(), "tiny");
        return Clip4ClipModel.load(dir, ModelOptions.defaults().withDevice(ModelOptions.DeviceChoice.CPU));
    }

    private IndexConfig config() {
        return IndexConfig.fromEnv(new Env(Map.of(
                "CLIP4S_KAFKA_BOOTSTRAP_SERVERS",
                KAFKA.bootstrapServers(),
                "CLIP4S_TOPIC_PREFIX",
                prefix,
                "CLIP4S_TOPIC_PARTITIONS",
                "1",
                "CLIP4S_INDEX_APPLICATION_ID",
                prefix + "index",
                "CLIP4S_INDEX_STATE_DIR",
                temp.resolve("fresh-disk").toString(),
                "CLIP4S_INDEX_HTTP_PORT",
                "0",
                "CLIP4S_INDEX_ADVERTISED_HOST",
                "127.0.0.1")));
    }

    private ModelVersionLog log(IndexConfig config) {
        KafkaClientSettings kafka = KafkaClientSettings.of(KAFKA.bootstrapServers());
        new TopicProvisioner(kafka, 1, TopicProvisioner.DEFAULT_TIMEOUT)
                .ensure(List.of(config.topics().models()));
        return new ModelVersionLog(kafka, config.topics().models(), Duration.ofSeconds(30), Clock.systemUTC());
    }

    @Test
    void shouldRefuseAModelOfAnotherWidthThanTheRecordedOneNamingBoth() throws IOException {
        try (Clip4ClipModel model = tinyModel()) {
            IndexConfig config = config();
            int width = model.info().embedDim();
            ServedModel recorded = new ServedModel(
                    "openai/ViT-L-14", "9", width + 1, 224, "bicubic", 224, "clip", "meanP", List.of("meanP"));
            log(config).checkAndRecord("another-index", recorded);
            IndexService service = new IndexService(config, model, null);
            IllegalStateException e = assertThrows(IllegalStateException.class, service::start);
            assertTrue(
                    e.getMessage().contains("openai/ViT-L-14 9 (width " + (width + 1))
                            && e.getMessage()
                                    .contains(model.info().modelId() + " "
                                            + model.info().modelVersion() + " (width " + width),
                    e.getMessage());
            assertEquals(List.of(recorded), log(config).read(), "the refused model is not recorded");
        }
    }

    @Test
    void shouldRefuseTheRecordedVersionPreparedAnotherWayAndRecordAFittingOne() throws Exception {
        try (Clip4ClipModel model = tinyModel()) {
            IndexConfig config = config();
            var frames = model.preprocessing();
            ServedModel otherPreparation = new ServedModel(
                    "tiny-elsewhere",
                    model.info().modelVersion(),
                    model.info().embedDim(),
                    frames.resizeSize() + 8,
                    "bilinear",
                    frames.cropSize(),
                    frames.normalize(),
                    "meanP",
                    List.of());
            log(config).checkAndRecord("another-index", otherPreparation);
            IllegalStateException e =
                    assertThrows(IllegalStateException.class, new IndexService(config, model, null)::start);
            assertTrue(
                    e.getMessage().contains("bilinear") && e.getMessage().contains(frames.interpolation()),
                    e.getMessage());
        }
        // A model that fits is recorded by the index at start-up, for every other service to check against.
        IndexConfig fresh = IndexConfig.fromEnv(new Env(Map.of(
                "CLIP4S_KAFKA_BOOTSTRAP_SERVERS",
                KAFKA.bootstrapServers(),
                "CLIP4S_TOPIC_PREFIX",
                prefix + "b.",
                "CLIP4S_TOPIC_PARTITIONS",
                "1",
                "CLIP4S_INDEX_APPLICATION_ID",
                prefix + "index-b",
                "CLIP4S_INDEX_STATE_DIR",
                temp.resolve("disk-b").toString(),
                "CLIP4S_INDEX_HTTP_PORT",
                "0",
                "CLIP4S_INDEX_ADVERTISED_HOST",
                "127.0.0.1")));
        try (Clip4ClipModel model = tinyModel();
                IndexService service = new IndexService(fresh, model, null)) {
            service.start();
            List<ServedModel> recorded = log(fresh).read();
            assertEquals(1, recorded.size(), recorded.toString());
            assertEquals(model.info().modelVersion(), recorded.getFirst().modelVersion());
            assertEquals(model.info().embedDim(), recorded.getFirst().embedDim());
            // The query service reads the same record over HTTP (it has no Kafka connection).
            var response = java.net.http.HttpClient.newHttpClient()
                    .send(
                            java.net.http.HttpRequest.newBuilder(
                                            service.http().uri().resolve(IndexService.MODELS_PATH))
                                    .build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
            var body = new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body());
            assertEquals(model.info().modelVersion(), body.get("active").asText());
            assertEquals(
                    recorded.getFirst(),
                    new com.fasterxml.jackson.databind.ObjectMapper()
                            .treeToValue(body.get("models").get(0), ServedModel.class));
        }
    }
}
