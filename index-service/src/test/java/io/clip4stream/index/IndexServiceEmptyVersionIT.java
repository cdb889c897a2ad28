package io.clip4stream.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.index.bench.SyntheticClips;
import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.ModelOptions;
import io.clip4stream.model.spec.ModelConfig;
import io.clip4stream.model.weights.ModelDirectory;
import io.clip4stream.model.weights.TensorData;
import io.clip4stream.model.weights.TinyModelGenerator;
import io.clip4stream.model.weights.TinyModelShape;
import io.clip4stream.runtime.config.Env;
import io.clip4stream.runtime.kafka.KafkaClientSettings;
import io.clip4stream.schemas.avro.EmbeddingStreamRecord;
import io.clip4stream.schemas.topic.Topics;
import io.clip4stream.testkit.EmbeddedKafka;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A data directory indexed with model A, served with model B of the same width: the index says where the clips are
 * (per model version counts on {@code /v1/models} and on an empty {@code /v1/knn} answer) and advises what to do at
 * start-up, instead of answering empty searches with no word of why.
 */
class IndexServiceEmptyVersionIT {
    @RegisterExtension
    static final EmbeddedKafka KAFKA = EmbeddedKafka.singleNode();

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    private Clip4ClipModel tinyModel(long seed) throws IOException {
        Path dir = temp.resolve("model-" + seed);
        new TinyModelGenerator(seed).generate(dir, TinyModelShape.defaults(), "tiny");
        return Clip4ClipModel.load(dir, ModelOptions.defaults().withDevice(ModelOptions.DeviceChoice.CPU));
    }

    /**
     * Model A's CLIP visual encoder under another version: its text side is zeroed, so only the visual weights are
     * shared.
     */
    private Clip4ClipModel sameVisualEncoderAs(long seed, String version) throws IOException {
        Path dir = temp.resolve("model-" + version);
        TinyModelGenerator generator = new TinyModelGenerator(seed);
        Map<String, TensorData> tensors = new LinkedHashMap<>(generator.tensors(TinyModelShape.defaults()));
        tensors.replaceAll((name, tensor) -> name.startsWith("clip.transformer.")
                ? new TensorData(tensor.dtype(), tensor.shape(), new byte[tensor.littleEndianBytes().length])
                : tensor);
        ModelConfig configA = ModelDirectory.open(temp.resolve("model-" + seed)).config();
        ModelConfig configB = new ModelConfig(
                configA.modelId(),
                version,
                configA.simHeader(),
                configA.linearPatch(),
                configA.maxFrames(),
                configA.maxWords(),
                configA.crossNumHiddenLayers(),
                configA.bpeVocab(),
                configA.preprocessing(),
                configA.trainedHeads());
        ModelDirectory.write(dir, configB, tensors);
        return Clip4ClipModel.load(dir, ModelOptions.defaults().withDevice(ModelOptions.DeviceChoice.CPU));
    }

    private IndexConfig config() {
        return IndexConfig.fromEnv(new Env(Map.of(
                "CLIP4S_KAFKA_BOOTSTRAP_SERVERS", KAFKA.bootstrapServers(),
                "CLIP4S_TOPIC_PREFIX", "ev.",
                "CLIP4S_TOPIC_PARTITIONS", "2",
                "CLIP4S_INDEX_APPLICATION_ID", "ev.index",
                "CLIP4S_INDEX_STATE_DIR", temp.resolve("data").toString(),
                "CLIP4S_INDEX_HTTP_PORT", "0",
                "CLIP4S_INDEX_ADVERTISED_HOST", "127.0.0.1",
                "CLIP4S_INDEX_REFRESH_MS", "100")));
    }

    private static void produce(IndexConfig config, SyntheticClips clips, String source, int count) {
        Topics topics = config.topics();
        try (KafkaProducer<String, EmbeddingStreamRecord> producer = new KafkaProducer<>(
                KafkaClientSettings.of(KAFKA.bootstrapServers()).producer("ev-producer"),
                topics.frameEmbeddings().keySerde().serializer(),
                topics.frameEmbeddings().valueSerde().serializer())) {
            for (long clip = 0; clip < count; clip++) {
                for (EmbeddingStreamRecord frame : clips.frames(source, clip)) {
                    producer.send(new ProducerRecord<>(topics.frameEmbeddings().name(), source, frame));
                }
                producer.send(
                        new ProducerRecord<>(topics.frameEmbeddings().name(), source, clips.boundary(source, clip)));
            }
            producer.flush();
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (InvalidStateStoreException | IllegalStateException notYet) {
                // Shards are restoring; ask again.
            }
            Thread.sleep(50);
        }
        throw new AssertionError("timed out after " + WAIT + " waiting until " + what);
    }

    private static long visible(IndexService service) {
        return service.state() == KafkaStreams.State.RUNNING
                ? service.localStore().visibleClips()
                : -1;
    }

    @Test
    void shouldSayWhichVersionsHoldTheClipsWhenTheServedVersionHoldsNone() throws Exception {
        IndexConfig config = config();
        String versionA;
        try (Clip4ClipModel modelA = tinyModel(7);
                IndexService indexedWithA = new IndexService(config, modelA, null)) {
            versionA = modelA.info().modelVersion();
            indexedWithA.start();
            SyntheticClips clips =
                    new SyntheticClips(2, modelA.info().embedDim(), "tiny", versionA, "acme", List.of("lobby"));
            produce(config, clips, "cam-1", 4);
            produce(config, clips, "cam-2", 2);
            await("six clips are indexed with model A", () -> visible(indexedWithA) == 6);
            assertEquals(java.util.Optional.empty(), indexedWithA.emptyActiveVersionAdvice(), "A holds its clips");
        }

        try (Clip4ClipModel modelB = tinyModel(8);
                IndexService servedWithB = new IndexService(config, modelB, null)) {
            String versionB = modelB.info().modelVersion();
            assertTrue(!versionA.equals(versionB), "two versions of one width");
            servedWithB.start();
            await("the restarted instance serves the six clips of A", () -> visible(servedWithB) == 6);
            assertEquals(versionB, servedWithB.activeModelVersion());

            String advice = servedWithB.emptyActiveVersionAdvice().orElseThrow();
            assertTrue(
                    advice.startsWith("model version '" + versionB + "' holds no clips, but the index holds 6 clips"
                            + " under '" + versionA + "'"),
                    advice);
            assertTrue(advice.contains("--model DIR") && advice.contains("re-ingest"), advice);
            assertTrue(
                    advice.contains("'" + versionA + "' has another CLIP visual encoder: its frames must be encoded"
                            + " again"),
                    advice);

            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> models = http.send(
                    HttpRequest.newBuilder(servedWithB.http().uri().resolve(IndexService.MODELS_PATH))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, models.statusCode(), models.body());
            JsonNode modelsBody = JSON.readTree(models.body());
            assertEquals(versionB, modelsBody.get("active").asText());
            assertEquals(Map.of(versionA, 6), JSON.convertValue(modelsBody.get("clipsPerModelVersion"), Map.class));

            float[] probe = new float[modelB.info().embedDim()];
            probe[0] = 1;
            HttpResponse<String> knn = http.send(
                    HttpRequest.newBuilder(servedWithB.http().uri().resolve("/v1/knn"))
                            .POST(HttpRequest.BodyPublishers.ofString(
                                    JSON.writeValueAsString(Map.of("vector", probe, "k", 5))))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, knn.statusCode(), knn.body());
            JsonNode answer = JSON.readTree(knn.body());
            assertEquals(0, answer.get("hits").size(), knn.body());
            assertEquals(versionB, answer.get("modelVersion").asText());
            assertEquals(Map.of(versionA, 6), JSON.convertValue(answer.get("clipsPerModelVersion"), Map.class));

            // Under A (named in the request) the same search finds clips, and the answer carries no counts.
            HttpResponse<String> underA = http.send(
                    HttpRequest.newBuilder(servedWithB.http().uri().resolve("/v1/knn"))
                            .POST(HttpRequest.BodyPublishers.ofString(
                                    JSON.writeValueAsString(Map.of("vector", probe, "k", 5, "modelVersion", versionA))))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode found = JSON.readTree(underA.body());
            assertEquals(5, found.get("hits").size(), underA.body());
            assertTrue(found.get("clipsPerModelVersion").isNull(), underA.body());
        }

        // Another version of A's CLIP (same visual weights): no advice needed, the index rebuilds the version in place
        // from the frame embeddings A's clips keep, and keeps A's vectors.
        try (Clip4ClipModel sameClip = sameVisualEncoderAs(7, "tiny-seed-7-head-2");
                IndexService servedWithSameClip = new IndexService(config, sameClip, null)) {
            servedWithSameClip.start();
            await(
                    "the six clips of A are rebuilt under tiny-seed-7-head-2",
                    () -> servedWithSameClip.state() == KafkaStreams.State.RUNNING
                            && Map.of(versionA, 6L, "tiny-seed-7-head-2", 6L)
                                    .equals(servedWithSameClip.localStore().clipsPerModelVersion()));
            assertEquals(java.util.Optional.empty(), servedWithSameClip.emptyActiveVersionAdvice());
        }
    }
}
