package io.clip4stream.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.index.bench.SyntheticClips;
import io.clip4stream.index.shard.ShardMap;
import io.clip4stream.index.store.ClipFilter;
import io.clip4stream.index.store.ClipHit;
import io.clip4stream.index.topology.IndexTopology;
import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.ModelOptions;
import io.clip4stream.model.weights.TinyModelGenerator;
import io.clip4stream.model.weights.TinyModelShape;
import io.clip4stream.runtime.config.Env;
import io.clip4stream.runtime.kafka.KafkaClientSettings;
import io.clip4stream.schemas.avro.ClipVector;
import io.clip4stream.schemas.avro.EmbeddingStreamRecord;
import io.clip4stream.schemas.avro.SourceDeletion;
import io.clip4stream.schemas.topic.Topics;
import io.clip4stream.testkit.EmbeddedKafka;
import io.clip4stream.testkit.TopicReader;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.processor.StandbyUpdateListener;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexCommit;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The index service on a real broker: failover restore, clean-restart reuse, deletes and retention, HTTP queries. */
class IndexServiceIT {

    @RegisterExtension
    static final EmbeddedKafka KAFKA = EmbeddedKafka.singleNode();

    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    static Path modelDir;

    private static Clip4ClipModel model;
    private static SyntheticClips clips;

    @TempDir
    Path temp;

    @BeforeAll
    static void loadModel() throws IOException {
        new TinyModelGenerator(7).generate(modelDir, TinyModelShape.defaults(), "tiny");
        model = Clip4ClipModel.load(modelDir, ModelOptions.defaults().withDevice(ModelOptions.DeviceChoice.CPU));
        clips = new SyntheticClips(
                2, model.info().embedDim(), "tiny", model.info().modelVersion(), "acme", List.of("lobby"));
    }

    @AfterAll
    static void closeModel() {
        model.close();
    }

    private IndexConfig config(String prefix, String stateName, Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(extra);
        env.put("CLIP4S_KAFKA_BOOTSTRAP_SERVERS", KAFKA.bootstrapServers());
        env.put("CLIP4S_TOPIC_PREFIX", prefix);
        env.put("CLIP4S_TOPIC_PARTITIONS", "2");
        env.put("CLIP4S_INDEX_APPLICATION_ID", prefix + "index");
        env.put("CLIP4S_INDEX_STATE_DIR", temp.resolve(stateName).toString());
        env.put("CLIP4S_INDEX_HTTP_PORT", "0");
        env.put("CLIP4S_INDEX_ADVERTISED_HOST", "127.0.0.1");
        env.put("CLIP4S_INDEX_REFRESH_MS", "100");
        env.put("CLIP4S_MODEL_DIR", modelDir.toString());
        return IndexConfig.fromEnv(new Env(env));
    }

    private static void produce(IndexConfig config, Map<String, Integer> clipsPerSource, int firstClip) {
        Topics topics = config.topics();
        try (KafkaProducer<String, EmbeddingStreamRecord> producer = new KafkaProducer<>(
                KafkaClientSettings.of(KAFKA.bootstrapServers()).producer("it-producer"),
                topics.frameEmbeddings().keySerde().serializer(),
                topics.frameEmbeddings().valueSerde().serializer())) {
            clipsPerSource.forEach((source, count) -> {
                for (long clip = firstClip; clip < firstClip + count; clip++) {
                    for (EmbeddingStreamRecord frame : clips.frames(source, clip)) {
                        producer.send(
                                new ProducerRecord<>(topics.frameEmbeddings().name(), source, frame));
                    }
                    producer.send(new ProducerRecord<>(
                            topics.frameEmbeddings().name(), source, clips.boundary(source, clip)));
                }
            });
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
                // Shards are migrating or restoring; ask again.
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

    /** Counts the records restored into the clip index from its changelog. */
    private static final class RestoreCounter implements StateRestoreListener {
        private final AtomicLong restored = new AtomicLong();

        @Override
        public void onRestoreStart(TopicPartition partition, String store, long start, long end) {}

        @Override
        public void onBatchRestored(TopicPartition partition, String store, long batchEnd, long count) {
            if (store.equals(IndexTopology.CLIP_STORE)) {
                restored.addAndGet(count);
            }
        }

        @Override
        public void onRestoreEnd(TopicPartition partition, String store, long total) {}
    }

    /** Counts, per changelog partition, the clip-index records a standby replica loaded. */
    private static final class StandbyCounter implements StandbyUpdateListener {
        private final Map<Integer, AtomicLong> loaded = new ConcurrentHashMap<>();

        long loaded(int partition) {
            AtomicLong count = loaded.get(partition);
            return count == null ? 0 : count.get();
        }

        @Override
        public void onUpdateStart(TopicPartition partition, String store, long startingOffset) {}

        @Override
        public void onBatchLoaded(
                TopicPartition partition,
                String store,
                TaskId task,
                long batchEndOffset,
                long batchSize,
                long currentEndOffset) {
            if (store.equals(IndexTopology.CLIP_STORE)) {
                loaded.computeIfAbsent(partition.partition(), p -> new AtomicLong())
                        .addAndGet(batchSize);
            }
        }

        @Override
        public void onUpdateSuspended(
                TopicPartition partition,
                String store,
                long storeOffset,
                long currentEndOffset,
                SuspendReason reason) {}
    }

    private static final Map<String, Integer> TEN_CLIPS =
            Map.of("cam-0", 2, "cam-1", 2, "cam-2", 2, "cam-3", 2, "cam-4", 2);

    @Test
    void shouldRestoreTheShardsFromTheChangelogOnAnotherInstanceAfterFailover() throws Exception {
        // One changelog record per clip: provisional versions (each also a record until compaction) are off here.
        Map<String, String> closedOnly = Map.of(IndexConfig.PROVISIONAL_EVERY_FRAMES.name(), "0");
        IndexConfig first = config("failover.", "instance-a", closedOnly);
        try (IndexService a = new IndexService(first, model, null)) {
            a.start();
            produce(first, TEN_CLIPS, 0);
            await("instance a has indexed ten clips", () -> visible(a) == 10);
        }

        RestoreCounter restored = new RestoreCounter();
        IndexConfig second = config("failover.", "instance-b", closedOnly);
        try (IndexService b = new IndexService(second, model, restored)) {
            b.start();
            await(
                    "instance b serves the ten clips and publishes how far each source is searchable",
                    () -> visible(b) == 10 && b.localStore().searchableUpTo().size() == TEN_CLIPS.size());
            assertEquals(10, restored.restored.get(), "every clip came back through the restore callback");

            ClipVector wanted = findClip(b, "cam-3", 1);
            HttpClient http = HttpClient.newHttpClient();
            URI base = b.http().uri();
            String body = new ObjectMapper()
                    .writeValueAsString(Map.of(
                            "vector",
                            wanted.getVector(),
                            "k",
                            3,
                            "sourceIds",
                            List.of("cam-3"),
                            "tags",
                            List.of("lobby")));
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(base.resolve("/v1/knn"))
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), response.body());
            JsonNode knn = new ObjectMapper().readTree(response.body());
            assertEquals("cam-3:2", knn.get("hits").get(0).get("clipId").asText());
            assertEquals(2, knn.get("hits").size(), "two clips of cam-3");
            assertEquals(2, knn.get("hits").get(0).get("frameEmbeddings").size());
            assertEquals(4_000_000L, knn.get("searchableUpTo").get("cam-3").asLong());
            assertEquals("[0,1]", knn.get("partitions").toString());

            HttpResponse<String> shards = http.send(
                    HttpRequest.newBuilder(base.resolve("/v1/shards")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode map = new ObjectMapper().readTree(shards.body());
            assertEquals(1, map.get("instances").size(), shards.body());
            assertEquals(
                    "[0,1]", map.get("instances").get(0).get("activePartitions").toString());
            assertEquals(
                    b.http().port(), map.get("instances").get(0).get("port").asInt());
        }
    }

    @Test
    void shouldServeAFailedOverShardFromItsWarmStandbyWithoutRestoringIt() throws Exception {
        Map<String, String> oneStandby = Map.of("CLIP4S_INDEX_STANDBY_REPLICAS", "1");
        IndexConfig configA = config("standby.", "instance-a", oneStandby);
        IndexConfig configB = config("standby.", "instance-b", oneStandby);
        RestoreCounter restoredB = new RestoreCounter();
        StandbyCounter standbyB = new StandbyCounter();
        int partitionOfA;
        Set<String> clipsOfA;
        long restoredBeforeFailover;
        try (IndexService b = new IndexService(configB, model, restoredB, standbyB)) {
            try (IndexService a = new IndexService(configA, model, null, null)) {
                a.start();
                b.start();
                await(
                        "each instance is active for one shard and standby for the other",
                        () -> activeShards(a).size() == 1
                                && activeShards(b).size() == 1
                                && standbyShards(b).equals(activeShards(a)));
                produce(configA, TEN_CLIPS, 0);
                await("the two instances have indexed ten clips", () -> visible(a) + visible(b) == 10);
                partitionOfA = activeShards(a).getFirst();
                clipsOfA =
                        clipIds(a.localStore().nearest(probe(), 100, ClipFilter.modelVersion(a.activeModelVersion())));
                assertTrue(!clipsOfA.isEmpty(), "the shard that fails over holds clips");
                await(
                        "b's standby of shard " + partitionOfA + " has loaded its clips from the changelog",
                        () -> standbyB.loaded(partitionOfA) >= clipsOfA.size());
                restoredBeforeFailover = restoredB.restored.get();
            }

            await(
                    "b is active for both shards and serves all ten clips",
                    () -> activeShards(b).size() == 2 && visible(b) == 10);
            assertEquals(
                    restoredBeforeFailover,
                    restoredB.restored.get(),
                    "the promoted standby was current: taking over restored no clip from the changelog");
            Set<String> sourcesOfA = clipsOfA.stream()
                    .map(id -> id.substring(0, id.indexOf(':')))
                    .collect(Collectors.toSet());
            assertEquals(
                    clipsOfA,
                    clipIds(b.localStore()
                            .nearest(
                                    probe(),
                                    100,
                                    ClipFilter.modelVersion(b.activeModelVersion())
                                            .withSourceIds(sourcesOfA))),
                    "b answers with every clip of the shard it took over");
        }
    }

    private static Set<String> clipIds(List<ClipHit> hits) {
        return hits.stream().map(hit -> hit.clip().getClipId().toString()).collect(Collectors.toSet());
    }

    private static List<Integer> activeShards(IndexService service) {
        return service.state() == KafkaStreams.State.RUNNING ? service.shards().localActivePartitions() : List.of();
    }

    /** The shards this instance holds standby replicas of, from the Streams metadata. */
    private static List<Integer> standbyShards(IndexService service) {
        if (service.state() != KafkaStreams.State.RUNNING) {
            return List.of(-1);
        }
        ShardMap map = service.shards().shardMap();
        return map.instances().stream()
                .filter(instance -> (instance.host() + ":" + instance.port()).equals(map.self()))
                .flatMap(instance -> instance.standbyPartitions().stream())
                .sorted()
                .toList();
    }

    private static float[] probe() {
        float[] probe = new float[clips.dimension()];
        probe[0] = 1;
        return probe;
    }

    private static ClipVector findClip(IndexService service, String source, long clipIndex) {
        return service
                .localStore()
                .nearest(
                        probe(),
                        100,
                        ClipFilter.modelVersion(service.activeModelVersion()).withSourceIds(Set.of(source)))
                .stream()
                .map(ClipHit::clip)
                .filter(clip -> clip.getClipIndex() == clipIndex)
                .findFirst()
                .orElseThrow();
    }

    @Test
    void shouldReuseTheLocalIndexAfterACleanRestartWithoutReplayingTheChangelog() throws Exception {
        IndexConfig config = config("restart.", "instance", Map.of());
        try (IndexService service = new IndexService(config, model, null)) {
            service.start();
            produce(config, TEN_CLIPS, 0);
            await("ten clips are indexed", () -> visible(service) == 10);
        }
        List<Path> shardDirs;
        try (Stream<Path> files = Files.walk(temp.resolve("instance"))) {
            shardDirs = files.filter(path -> path.getFileName().toString().equals(IndexTopology.CLIP_STORE))
                    .toList();
        }
        assertEquals(2, shardDirs.size(), "one Lucene index per partition");
        for (Path shard : shardDirs) {
            try (FSDirectory directory = FSDirectory.open(shard)) {
                IndexCommit last = DirectoryReader.listCommits(directory).getLast();
                assertTrue(
                        last.getUserData().keySet().stream().anyMatch(key -> key.startsWith("changelog-offset:")),
                        "the Lucene commit keeps the changelog offset: " + last.getUserData());
            }
        }

        RestoreCounter restored = new RestoreCounter();
        try (IndexService restarted = new IndexService(config, model, restored)) {
            restarted.start();
            await("the restarted instance serves the ten clips", () -> visible(restarted) == 10);
            assertEquals(0, restored.restored.get(), "the local index was reused, not rebuilt from the changelog");
            produce(config, Map.of("cam-9", 1), 0);
            await("the reused index takes new clips", () -> visible(restarted) == 11);
        }
    }

    @Test
    void shouldDeleteASourceAndExpireOldClipsPerSource() throws Exception {
        IndexConfig config = config(
                "retention.",
                "instance",
                Map.of("CLIP4S_INDEX_RETENTION_MS", "3000", "CLIP4S_INDEX_RETENTION_CHECK_MS", "200"));
        try (IndexService service = new IndexService(config, model, null)) {
            service.start();
            produce(config, Map.of("keep", 2, "gone", 3, "live", 8), 0);
            // Per source, clips ending more than 3 s before the source's newest expire: keep (ends 2, 4 s) keeps
            // both, gone (2, 4, 6 s) loses the first, live (2, 4, ..., 16 s) keeps those ending at 14 and 16 s.
            await(
                    "every clip is indexed and retention trimmed each source",
                    () -> visible(service) == 2 + 2 + 2
                            && service.localStore()
                                    .searchableUpTo()
                                    .equals(Map.of("keep", 4_000_000L, "gone", 6_000_000L, "live", 16_000_000L)));

            try (KafkaProducer<String, SourceDeletion> producer = new KafkaProducer<>(
                    KafkaClientSettings.of(KAFKA.bootstrapServers()).producer("it-deleter"),
                    config.topics().sourceDeletions().keySerde().serializer(),
                    config.topics().sourceDeletions().valueSerde().serializer())) {
                producer.send(new ProducerRecord<>(
                        config.topics().sourceDeletions().name(),
                        "gone",
                        SourceDeletion.newBuilder()
                                .setSourceId("gone")
                                .setRequestedAtMillis(System.currentTimeMillis())
                                .build()));
            }
            await(
                    "the deleted source's clips are gone",
                    () -> visible(service) == 4
                            && !service.localStore().searchableUpTo().containsKey("gone"));
            assertEquals(
                    Set.of("keep:0", "keep:2", "live:12", "live:14"),
                    service
                            .localStore()
                            .nearest(probe(), 10, ClipFilter.modelVersion(service.activeModelVersion()))
                            .stream()
                            .map(hit -> hit.clip().getClipId().toString())
                            .collect(Collectors.toSet()));

            List<ConsumerRecord<String, ClipVector>> published = new TopicReader(KAFKA.bootstrapServers())
                    .readAtLeast(config.topics().clipVectors(), 13 + 7 + 2, WAIT);
            Set<String> tombstones = published.stream()
                    .filter(record -> record.value() == null)
                    .map(ConsumerRecord::key)
                    .collect(Collectors.toSet());
            assertEquals(
                    Set.of("gone:0", "gone:2", "gone:4", "live:0", "live:2", "live:4", "live:6", "live:8", "live:10"),
                    tombstones);
            assertNull(published.stream()
                    .filter(record -> record.key().equals("gone:0"))
                    .reduce((x, y) -> y)
                    .orElseThrow()
                    .value());
        }
    }
}
