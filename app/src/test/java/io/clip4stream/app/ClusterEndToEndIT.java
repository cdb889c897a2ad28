package io.clip4stream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.app.cli.TinyModel;
import io.clip4stream.app.cluster.ClusterLayout;
import io.clip4stream.app.cluster.ExpectedClips;
import io.clip4stream.app.cluster.ServiceProcess;
import io.clip4stream.encoder.EncoderConfig;
import io.clip4stream.encoder.EncoderService;
import io.clip4stream.index.IndexConfig;
import io.clip4stream.index.IndexService;
import io.clip4stream.ingest.IngestConfig;
import io.clip4stream.ingest.IngestService;
import io.clip4stream.ingest.decode.SyntheticVideo;
import io.clip4stream.kafka.embedded.EmbeddedKafkaCluster;
import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.ModelOptions;
import io.clip4stream.query.QueryConfig;
import io.clip4stream.query.QueryService;
import io.clip4stream.runtime.config.Env;
import io.clip4stream.runtime.http.HttpHost;
import io.clip4stream.runtime.lifecycle.Service;
import io.clip4stream.schemas.avro.ClipBoundary;
import io.clip4stream.schemas.avro.ClipVector;
import io.clip4stream.schemas.topic.Topics;
import io.clip4stream.testkit.TopicReader;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end on a three-node Kafka cluster (replication factor 3, {@code min.insync.replicas} 2) with two instances of
 * every service, through crashes: the distributed path loses, duplicates and changes nothing.
 *
 * <p>Instance "a" of each service runs in this JVM; instance "b" runs in a JVM of its own, started as
 * {@code clip4stream <service>} with its settings in the environment, exactly as a container runs it. While the
 * instance b of ingest is decoding a source, every b is killed with SIGKILL ({@link Process#destroyForcibly()}: no
 * shutdown hook, no transaction abort, no leaving the group) and one broker is stopped; the remaining sources are
 * submitted while they are down; then the b instances and the broker start again on their old ports and state. The
 * broker's stop is <em>not</em> abrupt: the nodes of {@link EmbeddedKafkaCluster} run inside this JVM, which cannot
 * kill a part of itself, so {@link EmbeddedKafkaCluster#stopNode} is Kafka's controlled shutdown (leaders move away
 * first, logs are flushed); its clients still lose their connections and partition leaders mid-transaction.
 *
 * <p>Then: every clip expected from the inputs (the synthetic videos' lengths and the sampler's rule, not the output)
 * is in the {@code clip-vectors} topic, read with {@code read_committed}, exactly once with no gap in its source's clip
 * indexes; the index answers over HTTP with each of them exactly once (per index instance and through both query
 * instances); and the top-10 of both query instances, before and after tight re-ranking, equals the ranking the model
 * module computes offline from the committed frames.
 */
class ClusterEndToEndIT {
    private static final int PARTITIONS = 3;
    private static final int VIDEO_FPS = 10;
    private static final double SAMPLING_FPS = 4;
    private static final int WINDOW = 12;
    /** Seconds of each source's video; the first {@link #FIRST_WAVE} are submitted before the crash. */
    private static final int[] SECONDS = {19, 22, 25, 28, 16};

    private static final int FIRST_WAVE = 3;
    /** Requests per route, counted by every service's HTTP host. */
    private static final String REQUESTS = HttpHost.REQUEST_SECONDS + "_count";

    private static final Duration AWAIT = Duration.ofMinutes(3);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path dir;

    private static EmbeddedKafkaCluster kafka;
    private static Clip4ClipModel model;
    private static final List<Service> inProcess = new ArrayList<>();
    private static final Map<String, ServiceProcess> children = new LinkedHashMap<>();
    private static ClusterLayout layout;
    private static Map<String, Integer> expectedClips;
    private static OfflineRanking offline;

    @BeforeAll
    static void ingestThroughCrashes() throws Exception {
        kafka = EmbeddedKafkaCluster.builder()
                .nodes(3)
                .dataDir(dir.resolve("kafka"))
                .build()
                .start();
        Path modelDir = TinyModel.ensure(dir.resolve("model"));
        Path media = dir.resolve("media");
        Files.createDirectories(media);
        Path logs = dir.resolve("logs");
        Files.createDirectories(logs);

        List<String> sourceIds = sourceIds();
        expectedClips = new LinkedHashMap<>();
        Map<String, Path> videos = new LinkedHashMap<>();
        for (int i = 0; i < sourceIds.size(); i++) {
            int frames = SECONDS[i] * VIDEO_FPS;
            Path file = media.resolve(sourceIds.get(i) + ".mp4");
            // Different sizes, so no two sources share a frame and no two clips tie in any ranking.
            SyntheticVideo.h264Mp4(320 + 32 * i, 240 + 16 * i, VIDEO_FPS, frames)
                    .withFaststart(true)
                    .writeTo(file);
            videos.put(sourceIds.get(i), file);
            expectedClips.put(sourceIds.get(i), ExpectedClips.of(frames, VIDEO_FPS, SAMPLING_FPS, WINDOW));
        }

        model = Clip4ClipModel.load(modelDir, ModelOptions.defaults().withIntraOpThreads(1));
        layout = new ClusterLayout(
                kafka.bootstrapServers(),
                PARTITIONS,
                3,
                dir,
                modelDir,
                media,
                model.info().imageSize(),
                SAMPLING_FPS,
                WINDOW,
                ClusterLayout.freePorts());
        for (String service : ClusterLayout.SERVICES) {
            children.put(
                    service + "-b",
                    new ServiceProcess(
                                    service + "-b",
                                    service + "-service",
                                    layout.environment(service, "b"),
                                    layout.port(service, "b"),
                                    logs)
                            .start());
        }
        for (String service : ClusterLayout.SERVICES) {
            Env envA = new Env(layout.environment(service, "a"));
            Service started = switch (service) {
                case "index" -> new IndexService(IndexConfig.fromEnv(envA), model, null);
                case "encoder" -> new EncoderService(EncoderConfig.fromEnv(envA), model);
                case "ingest" -> new IngestService(IngestConfig.fromEnv(envA));
                default -> new QueryService(QueryConfig.fromEnv(envA), model);
            };
            inProcess.add(started);
            started.start();
        }
        await(
                "every instance ready",
                () -> inProcess.stream().allMatch(Service::isReady)
                        && children.values().stream().allMatch(ServiceProcess::ready));

        for (String id : sourceIds.subList(0, FIRST_WAVE)) {
            submit(id, videos.get(id));
        }
        ServiceProcess ingestB = children.get("ingest-b");
        await("ingest-b decoding a source", () -> activeSources(ingestB) > 0);

        // The crash: every b instance at once, then a broker, while ingest-b is mid-source.
        children.values().forEach(ServiceProcess::kill);
        int stoppedNode = kafka.nodeIds().getLast();
        kafka.stopNode(stoppedNode);
        System.out.println("Killed every b instance and stopped broker " + stoppedNode);

        for (String id : sourceIds.subList(FIRST_WAVE, sourceIds.size())) {
            submit(id, videos.get(id));
        }
        CompletableFuture<Void> broker = CompletableFuture.runAsync(() -> kafka.startNode(stoppedNode));
        children.values().forEach(ServiceProcess::start);
        broker.join();
        await("every b instance ready again", () -> children.values().stream().allMatch(ServiceProcess::ready));

        int total = expectedClips.values().stream().mapToInt(Integer::intValue).sum();
        await("all " + total + " clips searchable through query-a", () -> {
            JsonNode answer = SearchApi.searchQuietly(queryUri("a"), "anything", total);
            return answer != null && answer.get("hits").size() >= total;
        });
        offline = OfflineRanking.of(modelDir, EndToEndIT.awaitAllEnds(kafka.bootstrapServers(), sourceIds.size()));
    }

    @AfterAll
    static void stop() {
        children.values().forEach(ServiceProcess::close);
        for (Service service : inProcess.reversed()) {
            service.close();
        }
        if (offline != null) {
            offline.close();
        }
        if (model != null) {
            model.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void shouldCommitEveryClipVectorExactlyOnce() {
        List<ConsumerRecord<String, ClipVector>> records = new TopicReader(kafka.bootstrapServers())
                .readAtLeast(Topics.defaults().clipVectors(), Integer.MAX_VALUE, Duration.ofSeconds(10));
        Map<String, List<Long>> indexes = new TreeMap<>();
        for (var record : records) {
            if (record.value() != null) {
                indexes.computeIfAbsent(record.value().getSourceId(), s -> new ArrayList<>())
                        .add(record.value().getClipIndex());
            }
        }
        assertExactlyOnce("clip-vectors (read_committed)", indexes, ClusterEndToEndIT::upstreamBoundaries);
    }

    /** Clip boundaries committed more than once upstream of the index, per topic: which stage duplicated a clip. */
    private static String upstreamBoundaries() {
        TopicReader reader = new TopicReader(kafka.bootstrapServers());
        Topics topics = Topics.defaults();
        Map<String, Integer> frames = new TreeMap<>();
        reader.readAtLeast(topics.frames(), Integer.MAX_VALUE, Duration.ofSeconds(5))
                .forEach(r -> {
                    if (r.value().getPayload() instanceof ClipBoundary b) {
                        frames.merge(b.getClipId().toString(), 1, Integer::sum);
                    }
                });
        Map<String, Integer> embeddings = new TreeMap<>();
        reader.readAtLeast(topics.frameEmbeddings(), Integer.MAX_VALUE, Duration.ofSeconds(5))
                .forEach(r -> {
                    if (r.value().getPayload() instanceof ClipBoundary b) {
                        embeddings.merge(b.getClipId().toString(), 1, Integer::sum);
                    }
                });
        frames.values().removeIf(n -> n == 1);
        embeddings.values().removeIf(n -> n == 1);
        // Each source's committed statuses in order (state/clips emitted), to see where a resumed run started.
        Map<String, List<String>> statuses = new TreeMap<>();
        reader.readAtLeast(topics.ingestStatus(), Integer.MAX_VALUE, Duration.ofSeconds(5))
                .forEach(r -> statuses.computeIfAbsent(r.key(), k -> new ArrayList<>())
                        .add(r.value().getState() + "/" + r.value().getClipsEmitted()));
        return "; boundaries committed more than once in frames: " + frames + ", in frame-embeddings: " + embeddings
                + "; status history: " + statuses;
    }

    @Test
    void shouldIndexEveryClipExactlyOnce() throws Exception {
        float[] vector = offline.textVector("anything");
        Map<String, List<Long>> indexes = new TreeMap<>();
        List<Integer> partitions = new ArrayList<>();
        for (String instance : List.of("a", "b")) {
            JsonNode answer = knn(URI.create("http://127.0.0.1:" + layout.port("index", instance)), vector);
            answer.get("partitions").forEach(p -> partitions.add(p.asInt()));
            answer.get("hits")
                    .forEach(hit -> indexes.computeIfAbsent(hit.get("sourceId").asText(), s -> new ArrayList<>())
                            .add(hit.get("clipIndex").asLong()));
        }
        assertEquals(
                PARTITIONS, partitions.size(), "each partition served by exactly one index instance: " + partitions);
        assertExactlyOnce("index instances' /v1/knn", indexes);

        int total = expectedClips.values().stream().mapToInt(Integer::intValue).sum();
        for (String instance : List.of("a", "b")) {
            JsonNode answer = SearchApi.search(queryUri(instance), "anything", total, false);
            assertFalse(answer.get("partial").asBoolean(), answer.toString());
            Map<String, List<Long>> viaQuery = new TreeMap<>();
            answer.get("hits")
                    .forEach(hit -> viaQuery.computeIfAbsent(hit.get("sourceId").asText(), s -> new ArrayList<>())
                            .add(hit.get("clipIndex").asLong()));
            assertExactlyOnce("query-" + instance + " /search", viaQuery);
        }
    }

    @Test
    void shouldRankLikeTheOfflineModelOnEveryQueryInstance() throws Exception {
        for (String instance : List.of("a", "b")) {
            for (String query : EndToEndIT.QUERIES) {
                JsonNode first = SearchApi.search(queryUri(instance), query, 10, false);
                assertFalse(first.get("partial").asBoolean(), first.toString());
                assertEquals(
                        offline.firstStage(query).subList(0, 10),
                        SearchApi.clipIds(first),
                        "first-stage top-10 for '" + query + "' at query-" + instance);
                JsonNode reranked = SearchApi.search(queryUri(instance), query, 10, true);
                assertTrue(reranked.get("reranked").asBoolean(), reranked.toString());
                assertEquals(
                        offline.reranked(query, 50, 10),
                        SearchApi.clipIds(reranked),
                        "re-ranked top-10 for '" + query + "' at query-" + instance);
            }
        }
    }

    @Test
    void shouldExportEachServicesMetrics() throws Exception {
        int total = expectedClips.values().stream().mapToInt(Integer::intValue).sum();
        float[] vector = offline.textVector("anything");
        Map<String, String> scraped = new TreeMap<>();
        for (String service : List.of("ingest", "encoder", "index", "query")) {
            for (String instance : List.of("a", "b")) {
                URI uri = URI.create("http://127.0.0.1:" + layout.port(service, instance));
                if (service.equals("index")) {
                    knn(uri, vector);
                } else if (service.equals("query")) {
                    SearchApi.search(uri, "anything", 10, false);
                }
                scraped.put(service + "-" + instance, scrape(uri));
            }
        }
        for (String instance : List.of("a", "b")) {
            String ingest = scraped.get("ingest-" + instance);
            // Every instance follows the whole status topic, so each sees every source done.
            assertEquals(expectedClips.size(), value(ingest, "clip4stream_ingest_sources", "state=\"DONE\""), ingest);
            assertEquals(0, value(ingest, "clip4stream_ingest_sources", "state=\"FAILED\""), ingest);
            assertTrue(ingest.contains("clip4stream_ingest_decode_frames_per_second"), ingest);

            String encoder = scraped.get("encoder-" + instance);
            assertTrue(encoder.contains("clip4stream_encoder_frames_per_second "), encoder);

            // Kafka Streams may leave a restarted instance without active shards for a while (it warms up first),
            // and labelled series only exist for held partitions, so per-shard figures are checked over both below.
            String index = scraped.get("index-" + instance);
            assertTrue(index.contains("clip4stream_index_clips_indexed_total "), index);
            assertTrue(index.contains("clip4stream_index_last_indexed_timestamp_seconds "), index);
            assertTrue(value(index, REQUESTS, "route=\"/v1/knn\"", "status=\"200\"") >= 1, index);

            String query = scraped.get("query-" + instance);
            assertTrue(value(query, "clip4stream_query_stage_seconds_count", "") >= 1, query);
            assertTrue(value(query, REQUESTS, "route=\"/search\"", "status=\"200\"") >= 1, query);
        }
        // The two index instances' shards together hold every clip once; the two encoders embedded work.
        assertEquals(
                total,
                value(scraped.get("index-a"), "clip4stream_index_shard_clips", "partition=")
                        + value(scraped.get("index-b"), "clip4stream_index_shard_clips", "partition="));
        assertTrue(value(scraped.get("index-a"), "clip4stream_index_shard_bytes", "partition=")
                        + value(scraped.get("index-b"), "clip4stream_index_shard_bytes", "partition=")
                > 0);
        // Labelled series appear only for partitions an instance holds, so these are checked over both instances.
        assertTrue(
                (scraped.get("index-a") + scraped.get("index-b")).contains("clip4stream_index_consumer_lag_records{"));
        assertTrue((scraped.get("encoder-a") + scraped.get("encoder-b"))
                .contains("clip4stream_encoder_consumer_lag_records{"));
        assertTrue(value(scraped.get("index-a"), "clip4stream_index_clips_indexed_total", "")
                        + value(scraped.get("index-b"), "clip4stream_index_clips_indexed_total", "")
                >= 1);
        assertTrue(value(scraped.get("encoder-a"), "clip4stream_encoder_batch_frames_count", "")
                        + value(scraped.get("encoder-b"), "clip4stream_encoder_batch_frames_count", "")
                >= 1);
    }

    private static String scrape(URI service) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(service.resolve("/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), service + "/metrics");
        return response.body();
    }

    /** Sum of the samples of {@code metric} whose labels contain every one of {@code labels}. */
    private static double value(String metrics, String metric, String... labels) {
        return metrics.lines()
                .filter(line -> line.startsWith(metric + " ") || line.startsWith(metric + "{"))
                .filter(line -> java.util.Arrays.stream(labels).allMatch(line::contains))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }

    /** Per source, clip indexes 0..n-1 each exactly once, n as expected; the message lists every difference. */
    private static void assertExactlyOnce(String where, Map<String, List<Long>> indexesBySource) {
        assertExactlyOnce(where, indexesBySource, () -> "");
    }

    /** As above; on failure {@code diagnosis} adds to the message. */
    private static void assertExactlyOnce(
            String where, Map<String, List<Long>> indexesBySource, Supplier<String> diagnosis) {
        List<String> problems = new ArrayList<>();
        Map<String, String> counts = new TreeMap<>();
        for (var expected : expectedClips.entrySet()) {
            List<Long> seen = indexesBySource.getOrDefault(expected.getKey(), List.of());
            counts.put(expected.getKey(), seen.size() + "/" + expected.getValue());
            Map<Long, Integer> times = new TreeMap<>();
            seen.forEach(i -> times.merge(i, 1, Integer::sum));
            times.forEach((index, n) -> {
                if (n > 1) {
                    problems.add(expected.getKey() + " clip " + index + " " + n + " times");
                }
            });
            for (long i = 0; i < expected.getValue(); i++) {
                if (!times.containsKey(i)) {
                    problems.add(expected.getKey() + " clip " + i + " missing");
                }
            }
            times.keySet().stream()
                    .filter(i -> i < 0 || i >= expected.getValue())
                    .forEach(i -> problems.add(expected.getKey() + " unexpected clip " + i));
        }
        indexesBySource.keySet().stream()
                .filter(s -> !expectedClips.containsKey(s))
                .forEach(s -> problems.add("unexpected source " + s));
        System.out.println(where + ": clips per source (seen/expected) " + counts);
        if (!problems.isEmpty()) {
            throw new AssertionError(
                    where + ": " + problems + "; clips per source (seen/expected) " + counts + diagnosis.get());
        }
    }

    /**
     * Source ids whose first {@link #FIRST_WAVE} fall on distinct partitions, so that whichever partitions of the
     * request topic ingest-b owns, it gets a source of the first wave.
     */
    private static List<String> sourceIds() {
        List<String> ids = new ArrayList<>();
        boolean[] covered = new boolean[PARTITIONS];
        for (int n = 0; ids.size() < FIRST_WAVE; n++) {
            String id = "source-" + n;
            int partition = Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
            if (!covered[partition]) {
                covered[partition] = true;
                ids.add(id);
            }
        }
        for (int n = 0; ids.size() < SECONDS.length; n++) {
            ids.add("late-source-" + n);
        }
        return ids;
    }

    private static URI queryUri(String instance) {
        return URI.create("http://127.0.0.1:" + layout.port("query", instance));
    }

    private static void submit(String sourceId, Path file) throws IOException, InterruptedException {
        String body = JSON.writeValueAsString(Map.of("sourceId", sourceId, "uri", file.toString()));
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + layout.port("ingest", "a") + "/sources"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(202, response.statusCode(), "ingest of " + sourceId + ": " + response.body());
    }

    private static JsonNode knn(URI index, float[] vector) throws IOException, InterruptedException {
        String body = JSON.writeValueAsString(
                Map.of("vector", vector, "k", 1000, "includeFrameEmbeddings", false, "includeThumbnails", false));
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(index.resolve("/v1/knn"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), index + ": " + response.body());
        return JSON.readTree(response.body());
    }

    /** Sources ingest-b is decoding, from its own {@code /metrics}. */
    private static int activeSources(ServiceProcess ingest) {
        try {
            return ingest.metrics()
                    .lines()
                    .filter(line -> line.startsWith("clip4stream_ingest_sources_active "))
                    .mapToInt(line -> (int) Double.parseDouble(line.substring(line.indexOf(' ') + 1)))
                    .findFirst()
                    .orElse(0);
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        await(what, condition, () -> "");
    }

    /** Polls {@code condition} until it holds or {@link #AWAIT} passed; the failure shows every b instance's log. */
    private static void await(String what, BooleanSupplier condition, Supplier<String> diagnosis)
            throws InterruptedException {
        long deadline = System.nanoTime() + AWAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                StringBuilder logs = new StringBuilder();
                children.values()
                        .forEach(c -> logs.append("\n---- ")
                                .append(c.name())
                                .append(" ----\n")
                                .append(c.logTail()));
                throw new AssertionError("Timed out after " + AWAIT + " waiting for " + what + diagnosis.get() + logs);
            }
            Thread.sleep(50);
        }
        System.out.println("Reached: " + what);
    }
}
