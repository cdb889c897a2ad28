package io.clip4stream.app.modelchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.app.cli.Clip4StreamCommand;
import io.clip4stream.index.IndexConfig;
import io.clip4stream.index.IndexService;
import io.clip4stream.index.bench.SyntheticClips;
import io.clip4stream.index.store.ClipKey;
import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.ModelOptions;
import io.clip4stream.model.spec.ModelConfig;
import io.clip4stream.model.spec.SimilarityHead;
import io.clip4stream.model.weights.ModelDirectory;
import io.clip4stream.model.weights.TensorData;
import io.clip4stream.model.weights.TinyModelGenerator;
import io.clip4stream.model.weights.TinyModelShape;
import io.clip4stream.query.QueryConfig;
import io.clip4stream.query.QueryService;
import io.clip4stream.runtime.config.Env;
import io.clip4stream.runtime.kafka.KafkaClientSettings;
import io.clip4stream.schemas.avro.EmbeddingStreamRecord;
import io.clip4stream.schemas.topic.Topics;
import io.clip4stream.testkit.EmbeddedKafka;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Changing the model with no downtime, through the CLI a team would use: model A (meanP) indexes clips; {@code model
 * deploy} publishes B (the same CLIP, a seqTransf head), the index re-aggregates every clip into B in the background
 * while searches run on A, {@code model activate} switches them, {@code model retire} drops A. And an index instance
 * lost mid-rebuild: a fresh instance restores the shard from its changelog and finishes the rebuild.
 */
class ModelChangeIT {
    @RegisterExtension
    static final EmbeddedKafka KAFKA = EmbeddedKafka.singleNode();

    private static final long SEARCH_PAUSE_MILLIS = 100;

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String VERSION_B = "tiny-seq-b";

    @TempDir
    Path temp;

    /** Model A: the tiny model, meanP. */
    private Path modelA() throws IOException {
        Path dir = temp.resolve("model-a");
        new TinyModelGenerator(7).generate(dir, TinyModelShape.defaults().withHead(SimilarityHead.MEAN_P), "tiny");
        return dir;
    }

    /** Model B: A's CLIP (every clip.* weight identical) with a seqTransf head, as another version. */
    private Path modelB(Path modelA) throws IOException {
        Path dir = temp.resolve("model-b");
        Map<String, TensorData> clipOfA =
                new TinyModelGenerator(7).tensors(TinyModelShape.defaults().withHead(SimilarityHead.MEAN_P));
        Map<String, TensorData> tensors = new LinkedHashMap<>(
                new TinyModelGenerator(99).tensors(TinyModelShape.defaults().withHead(SimilarityHead.SEQ_TRANSF)));
        tensors.replaceAll((name, tensor) -> name.startsWith("clip.") ? clipOfA.get(name) : tensor);
        ModelConfig a = ModelDirectory.open(modelA).config();
        ModelDirectory.write(
                dir,
                new ModelConfig(
                        a.modelId(),
                        VERSION_B,
                        SimilarityHead.SEQ_TRANSF,
                        a.linearPatch(),
                        a.maxFrames(),
                        a.maxWords(),
                        a.crossNumHiddenLayers(),
                        a.bpeVocab(),
                        a.preprocessing(),
                        a.trainedHeads()),
                tensors);
        return dir;
    }

    private Map<String, String> kafkaEnv(String prefix) {
        Map<String, String> env = new HashMap<>();
        env.put("CLIP4S_KAFKA_BOOTSTRAP_SERVERS", KAFKA.bootstrapServers());
        env.put("CLIP4S_TOPIC_PREFIX", prefix);
        env.put("CLIP4S_TOPIC_PARTITIONS", "2");
        return env;
    }

    private IndexConfig indexConfig(String prefix, Path stateDir) {
        Map<String, String> env = kafkaEnv(prefix);
        env.put("CLIP4S_INDEX_APPLICATION_ID", prefix + "index");
        env.put("CLIP4S_INDEX_STATE_DIR", stateDir.toString());
        env.put("CLIP4S_INDEX_HTTP_PORT", "0");
        env.put("CLIP4S_INDEX_ADVERTISED_HOST", "127.0.0.1");
        env.put("CLIP4S_INDEX_REFRESH_MS", "100");
        env.put("CLIP4S_INDEX_MAINTENANCE_MS", "200");
        // Small steps, so that the rebuild is still going on when the test acts in the middle of it.
        env.put("CLIP4S_INDEX_REBUILD_BATCH", "2");
        return IndexConfig.fromEnv(new Env(env));
    }

    private static Clip4ClipModel load(Path dir) {
        return Clip4ClipModel.load(dir, ModelOptions.defaults().withDevice(ModelOptions.DeviceChoice.CPU));
    }

    private static void produce(String prefix, SyntheticClips clips, String source, long from, long to) {
        Topics topics = IndexConfig.fromEnv(new Env(Map.of("CLIP4S_TOPIC_PREFIX", prefix)))
                .topics();
        try (KafkaProducer<String, EmbeddingStreamRecord> producer = new KafkaProducer<>(
                KafkaClientSettings.of(KAFKA.bootstrapServers()).producer(prefix + "producer"),
                topics.frameEmbeddings().keySerde().serializer(),
                topics.frameEmbeddings().valueSerde().serializer())) {
            for (long clip = from; clip < to; clip++) {
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
            } catch (InvalidStateStoreException | IllegalStateException | java.io.UncheckedIOException notYet) {
                // Shards are restoring or a service is starting; ask again.
            }
            Thread.sleep(50);
        }
        throw new AssertionError("timed out after " + WAIT + " waiting until " + what);
    }

    private static Map<String, Long> clipsPerVersion(IndexService index) {
        return index.state() == KafkaStreams.State.RUNNING ? index.localStore().clipsPerModelVersion() : Map.of();
    }

    /** The CLI's environment: the test's topics. */
    private String cliPrefix = "";

    private String cliQueryUrl = "";

    private Map<String, String> cliEnv() {
        return cliQueryUrl.isEmpty()
                ? Map.of("CLIP4S_TOPIC_PREFIX", cliPrefix)
                : Map.of("CLIP4S_TOPIC_PREFIX", cliPrefix, "CLIP4S_QUERY_URL", cliQueryUrl);
    }

    private String cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Clip4StreamCommand.commandLine(new PrintWriter(out), new PrintWriter(err), cliEnv())
                .execute(args);
        if (code != 0) {
            throw new AssertionError("clip4stream " + String.join(" ", args) + " exited " + code + ":\n" + out + err);
        }
        return out.toString();
    }

    private int cliExit(StringWriter err, String... args) {
        return Clip4StreamCommand.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(err), cliEnv())
                .execute(args);
    }

    private static HttpResponse<String> search(URI query, String text, String version) {
        String uri = "/search?k=5&candidates=20&q=" + URLEncoder.encode(text, StandardCharsets.UTF_8)
                + (version == null ? "" : "&modelVersion=" + version);
        try {
            return HTTP.send(
                    HttpRequest.newBuilder(query.resolve(uri))
                            .timeout(Duration.ofSeconds(30))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static JsonNode models(URI query) {
        try {
            return JSON.readTree(HTTP.send(
                            HttpRequest.newBuilder(query.resolve("/v1/models")).build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void shouldSwitchModelsWhileSearchesKeepAnswering() throws Exception {
        String prefix = "mc.";
        cliPrefix = prefix;
        Path dirA = modelA();
        Path dirB = modelB(dirA);
        try (Clip4ClipModel a = load(dirA);
                Clip4ClipModel b = load(dirB)) {
            assertEquals(a.visualFingerprint(), b.visualFingerprint(), "B keeps A's CLIP visual encoder");
            IndexConfig indexConfig = indexConfig(prefix, temp.resolve("index"));
            SyntheticClips clips = new SyntheticClips(
                    2, a.info().embedDim(), a.info().modelId(), a.info().modelVersion(), "acme", List.of());
            try (IndexService index = new IndexService(indexConfig, a, null)) {
                index.start();
                produce(prefix, clips, "cam-1", 0, 12);
                produce(prefix, clips, "cam-2", 0, 12);
                await(
                        "24 clips are indexed under A",
                        () -> clipsPerVersion(index).getOrDefault(a.info().modelVersion(), 0L) == 24);

                Map<String, String> queryEnv = kafkaEnv(prefix);
                queryEnv.put("CLIP4S_QUERY_HTTP_PORT", "0");
                queryEnv.put("CLIP4S_QUERY_BIND_ADDRESS", "127.0.0.1");
                queryEnv.put("CLIP4S_MODEL_DIR", dirA.toString());
                queryEnv.put("CLIP4S_QUERY_INDEX_URLS", index.http().uri().toString());
                queryEnv.put("CLIP4S_QUERY_SHARD_TIMEOUT_MS", "30000");
                try (QueryService query = new QueryService(QueryConfig.fromEnv(new Env(queryEnv)), a)) {
                    query.start();
                    URI queryUri = query.uri();
                    await("the query service answers with hits", () -> {
                        HttpResponse<String> r = search(queryUri, "a red ball", null);
                        return r.statusCode() == 200 && json(r).get("hits").size() == 5;
                    });

                    // Searches run all along, one at a time (bounded), recording every failure and empty answer.
                    List<String> problems = new CopyOnWriteArrayList<>();
                    List<String> answeredVersions = new CopyOnWriteArrayList<>();
                    AtomicBoolean stop = new AtomicBoolean();
                    Thread searcher = Thread.ofPlatform().name("searcher").start(() -> {
                        while (!stop.get()) {
                            try {
                                HttpResponse<String> r = search(queryUri, "a red ball", null);
                                if (r.statusCode() != 200) {
                                    problems.add("HTTP " + r.statusCode() + " " + r.body());
                                } else if (json(r).get("hits").isEmpty()) {
                                    problems.add("empty answer " + r.body());
                                } else {
                                    answeredVersions.add(
                                            json(r).get("modelVersion").asText());
                                }
                            } catch (RuntimeException e) {
                                problems.add(e.toString());
                            }
                            try {
                                // About 10 searches a second: under the query service's per-client rate limit (20/s),
                                // which the model commands run from the same address share.
                                Thread.sleep(SEARCH_PAUSE_MILLIS);
                            } catch (InterruptedException e) {
                                return;
                            }
                        }
                    });
                    String bootstrap = KAFKA.bootstrapServers();
                    String deployed = cli(
                            "model", "deploy", dirB.toString(), "--bootstrap", bootstrap, "--url", queryUri.toString());
                    assertTrue(deployed.contains("Deployed model version " + VERSION_B), deployed);

                    // Mid-rebuild: a new clip is indexed under both versions.
                    await(
                            "the rebuild has started",
                            () -> clipsPerVersion(index).getOrDefault(VERSION_B, 0L) > 0);
                    assertTrue(
                            clipsPerVersion(index).getOrDefault(VERSION_B, 0L) < 24, "the rebuild is still going on");
                    StringWriter early = new StringWriter();
                    assertEquals(
                            1,
                            cliExit(
                                    early,
                                    "model",
                                    "activate",
                                    VERSION_B,
                                    "--bootstrap",
                                    bootstrap,
                                    "--url",
                                    queryUri.toString()),
                            "activation waits for every shard");
                    assertTrue(early.toString().contains("not every shard has built"), early.toString());
                    cliQueryUrl = queryUri.toString();
                    String status = cli("status", "--bootstrap", bootstrap);
                    assertTrue(
                            status.contains("Model versions (searches use "
                                            + a.info().modelVersion() + ")")
                                    && status.contains(VERSION_B)
                                    && status.contains("deployed"),
                            status);
                    produce(prefix, clips, "cam-3", 0, 1);
                    await(
                            "the clip ingested mid-rebuild is under both versions",
                            () -> index.localStore()
                                            .clipsByKey(List.of(
                                                    new ClipKey(a.info().modelVersion(), "cam-3:0"),
                                                    new ClipKey(VERSION_B, "cam-3:0")))
                                            .size()
                                    == 2);

                    await(
                            "every shard has built B",
                            () -> models(queryUri)
                                    .path("versions")
                                    .path(VERSION_B)
                                    .path("ready")
                                    .asBoolean());
                    assertEquals(Map.of(a.info().modelVersion(), 25L, VERSION_B, 25L), clipsPerVersion(index));
                    String activated =
                            cli("model", "activate", VERSION_B, "--bootstrap", bootstrap, "--url", queryUri.toString());
                    assertTrue(activated.contains("Model version " + VERSION_B + " is active"), activated);
                    int answeredBefore = answeredVersions.size();
                    await("searches answered under B", () -> answeredVersions.size() > answeredBefore + 5);
                    stop.set(true);
                    searcher.join();

                    assertEquals(List.of(), problems, "no search failed or came back empty during the change");
                    assertEquals(a.info().modelVersion(), answeredVersions.getFirst());
                    assertEquals(VERSION_B, answeredVersions.getLast());
                    // The answers switched to B's scores: a search naming no version is B's, not A's.
                    JsonNode now = json(search(queryUri, "a red ball", null));
                    JsonNode underB = json(search(queryUri, "a red ball", VERSION_B));
                    JsonNode underA =
                            json(search(queryUri, "a red ball", a.info().modelVersion()));
                    assertEquals(underB.get("hits"), now.get("hits"));
                    assertNotEquals(
                            underA.get("hits").get(0).get("score"),
                            now.get("hits").get(0).get("score"));
                    // The clip ingested mid-rebuild is found under both versions.
                    assertTrue(found(queryUri, "cam-3:0", VERSION_B), "cam-3:0 under B");
                    assertTrue(found(queryUri, "cam-3:0", a.info().modelVersion()), "cam-3:0 under A");

                    // A is not active any more: it can be retired; B, active, cannot.
                    StringWriter refused = new StringWriter();
                    assertEquals(
                            1,
                            cliExit(
                                    refused,
                                    "model",
                                    "retire",
                                    VERSION_B,
                                    "--bootstrap",
                                    bootstrap,
                                    "--url",
                                    queryUri.toString()));
                    assertTrue(refused.toString().contains("is active"), refused.toString());
                    cli(
                            "model",
                            "retire",
                            a.info().modelVersion(),
                            "--bootstrap",
                            bootstrap,
                            "--url",
                            queryUri.toString());
                    await(
                            "A's vectors are dropped",
                            () -> Map.of(VERSION_B, 25L).equals(clipsPerVersion(index)));
                    await(
                            "the query service stops serving A",
                            () -> search(queryUri, "a red ball", a.info().modelVersion())
                                            .statusCode()
                                    == 400);
                    String listed = cli("model", "versions", "--bootstrap", bootstrap, "--url", queryUri.toString());
                    assertTrue(listed.contains(VERSION_B) && listed.contains("active"), listed);
                }
            }
        }
    }

    /** Whether clip {@code clipId} is among the hits of a search for its own source under {@code version}. */
    private static boolean found(URI query, String clipId, String version) {
        String source = clipId.substring(0, clipId.indexOf(':'));
        String uri = "/search?k=5&q=anything&sources=" + source + "&modelVersion=" + version;
        try {
            JsonNode answer = JSON.readTree(
                    HTTP.send(HttpRequest.newBuilder(query.resolve(uri)).build(), HttpResponse.BodyHandlers.ofString())
                            .body());
            List<String> ids = new ArrayList<>();
            answer.path("hits").forEach(hit -> ids.add(hit.get("clipId").asText()));
            return ids.contains(clipId);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Test
    void shouldFinishTheRebuildOnAFreshInstanceAfterLosingTheOneBuilding() throws Exception {
        String prefix = "mk.";
        cliPrefix = prefix;
        Path dirA = modelA();
        Path dirB = modelB(dirA);
        try (Clip4ClipModel a = load(dirA)) {
            SyntheticClips clips = new SyntheticClips(
                    2, a.info().embedDim(), a.info().modelId(), a.info().modelVersion(), "acme", List.of());
            try (IndexService first = new IndexService(indexConfig(prefix, temp.resolve("first")), a, null)) {
                first.start();
                produce(prefix, clips, "cam-1", 0, 20);
                produce(prefix, clips, "cam-2", 0, 20);
                await(
                        "40 clips under A",
                        () -> clipsPerVersion(first).getOrDefault(a.info().modelVersion(), 0L) == 40);
                cli(
                        "model",
                        "deploy",
                        dirB.toString(),
                        "--bootstrap",
                        KAFKA.bootstrapServers(),
                        "--url",
                        "http://127.0.0.1:9");
                await("the rebuild has started", () -> clipsPerVersion(first).getOrDefault(VERSION_B, 0L) > 0);
                assertTrue(clipsPerVersion(first).getOrDefault(VERSION_B, 0L) < 40, "stopped mid-rebuild");
            }
            // A fresh disk: the shard comes back from its changelog, with the part of B built so far, and goes on.
            try (IndexService second = new IndexService(indexConfig(prefix, temp.resolve("second")), a, null)) {
                second.start();
                await(
                        "B is complete on every shard",
                        () -> Map.of(a.info().modelVersion(), 40L, VERSION_B, 40L)
                                .equals(clipsPerVersion(second)));
                Map<String, Object> status = second.versionStatus();
                @SuppressWarnings("unchecked")
                Map<String, Object> b = (Map<String, Object>) status.get(VERSION_B);
                assertEquals("deployed", b.get("status"));
                assertEquals(2, ((Map<?, ?>) b.get("shards")).size(), status.toString());
            }
        }
    }
}
