package io.clip4stream.app.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.index.bench.EmbeddingLikeVectors;
import io.clip4stream.query.bench.BenchShard;
import io.clip4stream.query.bench.InMemoryIndexServer;
import io.clip4stream.query.bench.ShardFactory;
import io.clip4stream.query.fanout.IndexWire;
import io.clip4stream.schemas.frames.FrameEncoding;
import io.clip4stream.schemas.frames.PackedFrames;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Lucene-backed benchmark shard answers {@code /v1/knn} and {@code /v1/frames} with the same clips and frames as the
 * exact-scan shard holding the same data (300 clips: few enough that HNSW finds the exact top 10).
 */
class LuceneBenchShardTest {

    private static final int CLIPS = 300;
    private static final int QUERIES = 5;
    private static final int DIM = 64;
    private static final int FRAMES = 12;
    private static final String VERSION = "v1";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path work;

    @Test
    void shouldFindTheSameClipsAndFramesAsTheExactScan() throws Exception {
        float[][] all = EmbeddingLikeVectors.synthetic(CLIPS + QUERIES, DIM, 5);
        ShardFactory.Contents contents = contents(all);
        Path dir = work.resolve("shard-0");
        StringWriter progress = new StringWriter();
        try (BenchShard exact = ShardFactory.EXACT.start(contents);
                BenchShard lucene =
                        LuceneBenchShard.start(contents, dir, FrameEncoding.FLOAT16, new PrintWriter(progress, true));
                HttpClient http = HttpClient.newHttpClient()) {
            assertTrue(progress.toString().contains("force-merged to 1 segment"), progress.toString());
            for (int q = 0; q < QUERIES; q++) {
                float[] query = all[CLIPS + q];
                IndexWire.KnnResponse want = knn(http, exact.uri(), query);
                IndexWire.KnnResponse got = knn(http, lucene.uri(), query);
                assertEquals(10, want.hits().size());
                assertEquals(ids(want.hits()), ids(got.hits()), "query " + q);
                assertEquals(
                        lucene.nearest(query, 10).stream()
                                .map(BenchShard.Hit::clipId)
                                .toList(),
                        ids(want.hits()));
                for (int h = 0; h < want.hits().size(); h++) {
                    IndexWire.KnnHit w = want.hits().get(h);
                    IndexWire.KnnHit g = got.hits().get(h);
                    assertEquals(w.score(), g.score(), 1e-5);
                    assertEquals(w.sourceId(), g.sourceId());
                    assertEquals(w.endTimeMicros(), g.endTimeMicros());
                    assertArrayEquals(w.thumbnailJpeg(), g.thumbnailJpeg());
                    assertClose(
                            PackedFrames.unpack(w.frameEmbeddingsPacked()),
                            PackedFrames.unpack(g.frameEmbeddingsPacked()));
                }
                List<String> wanted = ids(want.hits()).subList(0, 5);
                IndexWire.Frames wantFrames = frames(http, exact.uri(), wanted);
                IndexWire.Frames gotFrames = frames(http, lucene.uri(), wanted);
                assertEquals(5, gotFrames.clips().size());
                for (IndexWire.FrameClip g : gotFrames.clips()) {
                    IndexWire.FrameClip w = wantFrames.clips().stream()
                            .filter(c -> c.clipId().equals(g.clipId()))
                            .findFirst()
                            .orElseThrow();
                    assertClose(
                            PackedFrames.unpack(w.frameEmbeddingsPacked()),
                            PackedFrames.unpack(g.frameEmbeddingsPacked()));
                }
            }
            assertTrue(lucene.scanNanos() > 0);
        }
        assertFalse(Files.exists(dir), "the shard deletes its index when closed");
    }

    private static ShardFactory.Contents contents(float[][] all) {
        List<InMemoryIndexServer.ClipInfo> clips = new ArrayList<>();
        float[] vectors = new float[CLIPS * DIM];
        for (int i = 0; i < CLIPS; i++) {
            String source = "source-" + i / 100;
            long index = i % 100;
            clips.add(new InMemoryIndexServer.ClipInfo(
                    source + ":" + index,
                    source,
                    index,
                    index * 12_000_000L,
                    (index + 1) * 12_000_000L,
                    "default",
                    List.of(),
                    VERSION,
                    new byte[] {1, 2, (byte) i}));
            System.arraycopy(all[i], 0, vectors, i * DIM, DIM);
        }
        InMemoryIndexServer.FrameSource frames = ordinal -> {
            SplittableRandom random = new SplittableRandom(ordinal);
            float[][] embeddings = new float[FRAMES][DIM];
            for (float[] frame : embeddings) {
                for (int d = 0; d < DIM; d++) {
                    frame[d] = (float) (random.nextDouble() * 2 - 1);
                }
            }
            return embeddings;
        };
        return new ShardFactory.Contents(0, "bench-model", clips, vectors, DIM, frames);
    }

    private static IndexWire.KnnResponse knn(HttpClient http, URI shard, float[] query)
            throws IOException, InterruptedException {
        IndexWire.KnnRequest request = new IndexWire.KnnRequest(
                query, 10, VERSION, null, null, null, null, null, true, true, IndexWire.PACKED_BASE64, null, null);
        return post(http, shard.resolve(IndexWire.KNN_PATH), request, IndexWire.KnnResponse.class);
    }

    private static IndexWire.Frames frames(HttpClient http, URI shard, List<String> clipIds)
            throws IOException, InterruptedException {
        return post(
                http,
                shard.resolve(IndexWire.FRAMES_PATH),
                new IndexWire.FramesRequest(clipIds, VERSION, IndexWire.PACKED_BASE64),
                IndexWire.Frames.class);
    }

    private static <T> T post(HttpClient http, URI uri, Object body, Class<T> type)
            throws IOException, InterruptedException {
        HttpResponse<byte[]> response = http.send(
                HttpRequest.newBuilder(uri)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, response.statusCode(), new String(response.body()));
        return JSON.readValue(response.body(), type);
    }

    private static List<String> ids(List<IndexWire.KnnHit> hits) {
        return hits.stream().map(IndexWire.KnnHit::clipId).toList();
    }

    /** Equal within float16's rounding: values in [-1, 1] round by at most 2^-11 of their magnitude. */
    private static void assertClose(float[][] expected, float[][] actual) {
        assertEquals(expected.length, actual.length);
        for (int f = 0; f < expected.length; f++) {
            assertArrayEquals(expected[f], actual[f], 1e-3f, "frame " + f);
        }
    }
}
