package io.clip4stream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.app.cli.TinyModel;
import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.ModelOptions;
import io.clip4stream.model.preprocess.ClipNormalize;
import io.clip4stream.model.preprocess.RgbImage;
import io.clip4stream.model.tokenize.ClipTokenizer;
import io.clip4stream.model.tokenize.TokenizedText;
import io.clip4stream.schemas.avro.ClipBoundary;
import io.clip4stream.schemas.avro.FrameStreamRecord;
import io.clip4stream.schemas.avro.SampledFrame;
import io.clip4stream.schemas.topic.Topics;
import io.clip4stream.testkit.TopicReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole system in one JVM (embedded broker, the four services): sample videos go in through the ingest API, and
 * the rankings that come out of the search API equal the rankings the model module computes offline from the same
 * frames, first stage and after tight re-ranking.
 */
class EndToEndIT {
    private static final List<String> QUERIES =
            List.of("a man riding a red bike", "a white square moves across the screen", "people talking indoors");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path dir;

    private static AllInOne all;
    private static Clip4ClipModel model;
    private static Map<String, float[][]> clipFrames;
    private static Map<String, float[]> clipVectors;

    @BeforeAll
    static void ingestSamples() throws Exception {
        Path modelDir = TinyModel.ensure(dir.resolve("model"));
        // 4 frames per second, so each 12-frame clip spans 3 s and the three samples give dozens of clips.
        all = new AllInOne(
                        new AllInOne.Options(0, dir.resolve("data"), modelDir, 1, 3),
                        Map.of("CLIP4S_INGEST_FPS", "4"),
                        step -> {})
                .start();
        SampleVideos.ingest(all.ingestUri(), SampleVideos.write(all.mediaDir()));

        List<ConsumerRecord<String, FrameStreamRecord>> frames = awaitAllEnds(3);
        Map<String, SampledFrame> byId = new HashMap<>();
        List<ClipBoundary> boundaries = new ArrayList<>();
        for (var record : frames) {
            Object payload = record.value().getPayload();
            if (payload instanceof SampledFrame f) {
                byId.put(f.getSourceId() + "/" + f.getFrameIndex(), f);
            } else if (payload instanceof ClipBoundary b) {
                boundaries.add(b);
            }
        }
        assertTrue(boundaries.size() >= 20, "at least 20 clips; got " + boundaries.size());

        model = Clip4ClipModel.load(modelDir, ModelOptions.defaults().withIntraOpThreads(1));
        clipFrames = new HashMap<>();
        clipVectors = new HashMap<>();
        ClipNormalize normalize = new ClipNormalize();
        for (ClipBoundary b : boundaries) {
            int n = b.getFrameCount();
            int size = model.info().imageSize();
            float[] pixels = new float[n * 3 * size * size];
            for (int i = 0; i < n; i++) {
                SampledFrame f = byId.get(b.getSourceId() + "/" + (b.getFirstFrameIndex() + i));
                ByteBuffer buffer = f.getPixels().duplicate();
                byte[] rgb = new byte[buffer.remaining()];
                buffer.get(rgb);
                normalize.normalizeInto(new RgbImage(f.getWidth(), f.getHeight(), rgb), pixels, i * 3 * size * size);
            }
            float[][] embeddings = model.embedFrames(pixels, n);
            clipFrames.put(b.getClipId(), embeddings);
            clipVectors.put(b.getClipId(), model.aggregateClip(embeddings));
        }
        awaitSearchable(boundaries.size());
    }

    @AfterAll
    static void stop() {
        if (model != null) {
            model.close();
        }
        if (all != null) {
            all.close();
        }
    }

    @Test
    void shouldRankLikeTheOfflineModelBeforeReranking() throws Exception {
        for (String query : QUERIES) {
            List<String> offline = offlineFirstStage(query).subList(0, 10);
            JsonNode answer = search(query, 10, false);
            assertFalse(answer.get("partial").asBoolean(), answer.toString());
            assertEquals(offline, clipIds(answer), "first-stage top-10 for '" + query + "'");
        }
    }

    @Test
    void shouldPlayASampleThroughTheQueryServiceWithByteRanges() throws Exception {
        byte[] file = java.nio.file.Files.readAllBytes(all.mediaDir().resolve("samples/sample-b.mp4"));
        HttpResponse<byte[]> response = HTTP.send(
                HttpRequest.newBuilder(all.pageUri().resolve("/media/sample-b"))
                        .header("Range", "bytes=100-")
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(206, response.statusCode());
        assertEquals("video/mp4", response.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(
                "bytes 100-" + (file.length - 1) + "/" + file.length,
                response.headers().firstValue("Content-Range").orElseThrow());
        assertEquals(
                java.util.Arrays.toString(java.util.Arrays.copyOfRange(file, 100, file.length)),
                java.util.Arrays.toString(response.body()));
    }

    @Test
    void shouldRerankLikeTheOfflineTightHead() throws Exception {
        for (String query : QUERIES) {
            List<String> candidates = offlineFirstStage(query);
            candidates = candidates.subList(0, Math.min(50, candidates.size()));
            TokenizedText text = tokenize(query);
            float[][][] frames = candidates.stream().map(clipFrames::get).toArray(float[][][]::new);
            float[] tight = model.tightScores(text.inputIds(), text.inputMask(), frames);
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < tight.length; i++) {
                order.add(i);
            }
            order.sort(Comparator.comparingDouble((Integer i) -> -tight[i]));
            List<String> offline =
                    order.subList(0, 10).stream().map(candidates::get).toList();

            JsonNode answer = search(query, 10, true);
            assertTrue(answer.get("reranked").asBoolean(), answer.toString());
            assertEquals(offline, clipIds(answer), "re-ranked top-10 for '" + query + "'");
        }
    }

    private static List<String> offlineFirstStage(String query) {
        TokenizedText text = tokenize(query);
        float[] t = model.encodeText(text.inputIds(), text.inputMask());
        return clipVectors.entrySet().stream()
                .sorted(Comparator.comparingDouble((Map.Entry<String, float[]> e) -> -dot(t, e.getValue())))
                .map(Map.Entry::getKey)
                .toList();
    }

    private static TokenizedText tokenize(String query) {
        return ClipTokenizer.withBundledVocabulary()
                .tokenize(query, model.info().maxWords());
    }

    private static double dot(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    private static List<String> clipIds(JsonNode answer) {
        List<String> ids = new ArrayList<>();
        answer.get("hits").forEach(hit -> ids.add(hit.get("clipId").asText()));
        return ids;
    }

    private static JsonNode search(String query, int k, boolean rerank) throws Exception {
        URI uri = all.pageUri()
                .resolve("/search?k=" + k + "&rerank=" + rerank + "&q="
                        + URLEncoder.encode(query, StandardCharsets.UTF_8));
        HttpResponse<String> response =
                HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    private static List<ConsumerRecord<String, FrameStreamRecord>> awaitAllEnds(int sources) {
        Topics topics = Topics.defaults();
        TopicReader reader = new TopicReader(all.bootstrapServers());
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (true) {
            List<ConsumerRecord<String, FrameStreamRecord>> records =
                    reader.readAtLeast(topics.frames(), Integer.MAX_VALUE, Duration.ofSeconds(5));
            long ends = records.stream()
                    .filter(r -> r.value().getPayload() instanceof io.clip4stream.schemas.avro.EndOfSource)
                    .count();
            if (ends >= sources) {
                return records;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Only " + ends + " of " + sources + " sources ended in time");
            }
        }
    }

    private static void awaitSearchable(int clips) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        int seen = 0;
        while (System.nanoTime() < deadline) {
            JsonNode answer = searchQuietly("anything", Math.min(100, clips));
            seen = answer == null ? 0 : answer.get("hits").size();
            if (seen >= clips) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("Only " + seen + " of " + clips + " clips became searchable in time");
    }

    private static JsonNode searchQuietly(String query, int k) throws Exception {
        URI uri = all.pageUri()
                .resolve("/search?rerank=false&k=" + k + "&candidates=" + Math.max(k, 50) + "&q="
                        + URLEncoder.encode(query, StandardCharsets.UTF_8));
        HttpResponse<String> response =
                HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
    }
}
