package io.clip4stream.app.modelchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.app.AllInOne;
import io.clip4stream.app.SampleVideos;
import io.clip4stream.app.cli.Clip4StreamCommand;
import io.clip4stream.app.cli.TinyModel;
import io.clip4stream.model.spec.SimilarityHead;
import io.clip4stream.model.weights.ModelDirectory;
import io.clip4stream.model.weights.TinyModelGenerator;
import io.clip4stream.model.weights.TinyModelShape;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model change to a version with another CLIP visual encoder, on the whole pipeline ({@code run}'s services on the
 * embedded broker) through the CLI: the stored frame embeddings cannot serve it, so {@code model deploy} has the
 * ingest decode the kept uploads again and the encoder encode them with the new version; once every shard holds every
 * uploaded clip under it, {@code model activate} switches searches, and a video uploaded after the switch is encoded
 * with the new version from its first frame.
 */
class ModelChangeOtherEncoderIT {

    private static final Duration WAIT = Duration.ofMinutes(4);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void shouldEncodeKeptUploadsAgainForAVersionOfAnotherEncoderThenSwitchSearchesAndNewVideos() throws Exception {
        Path modelA = TinyModel.ensure(dir.resolve("model-a"));
        Path modelB = dir.resolve("model-b");
        new TinyModelGenerator(8)
                .generate(modelB, TinyModelShape.defaults().withHead(SimilarityHead.SEQ_TRANSF), "tiny-b");
        String versionB = ModelDirectory.open(modelB).config().modelVersion();
        List<Path> videos = SampleVideos.write(dir.resolve("videos"));
        try (AllInOne all =
                new AllInOne(new AllInOne.Options(0, dir.resolve("data"), modelA, 1, 2), Map.of(), s -> {}).start()) {
            String versionA = all.modelInfo().modelVersion();
            assertNotEquals(versionA, versionB);
            upload(all, "up-0", videos.get(0));
            upload(all, "up-1", videos.get(1));
            await(
                    "both uploads are indexed under " + versionA,
                    () -> completed(all, Set.of("up-0", "up-1"))
                            && storedUnder(all, versionA) == clipsEmitted(all, Set.of("up-0", "up-1")));
            long uploaded = storedUnder(all, versionA);
            assertTrue(uploaded >= 8, "clips of two 60 s uploads; got " + uploaded);
            Set<String> clipsOfA = clipIds(search(all, "a red circle", null, (int) uploaded));

            String[] target = {
                "--bootstrap", all.bootstrapServers(), "--url", all.pageUri().toString()
            };
            String deployed = cli(concat(new String[] {"model", "deploy", modelB.toString()}, target));
            assertTrue(deployed.contains("decodes the 2 kept video(s) again"), deployed);

            // Searches keep using A while the ingest and the encoder build B.
            await("every shard holds every uploaded clip under " + versionB, () -> ready(all, versionB));
            assertEquals(
                    versionA,
                    search(all, "a red circle", null, 5).get("modelVersion").asText());
            assertEquals(uploaded, clipsUnder(all, versionB), "every uploaded clip, once");
            JsonNode underB = search(all, "a red circle", versionB, (int) uploaded);
            assertEquals(clipsOfA, clipIds(underB), "the same clips, encoded again");

            cli(concat(new String[] {"model", "activate", versionB}, target));
            await(
                    "searches use " + versionB + " and the encoder encodes live frames with it",
                    () -> versionB.equals(search(all, "a red circle", null, 5)
                                    .get("modelVersion")
                                    .asText())
                            && versionB.equals(all.encoderModelVersion()));

            // After the switch a new video is encoded with B only: its clips are not under A.
            upload(all, "up-2", videos.get(2));
            await(
                    "the upload after the switch is indexed under " + versionB,
                    () -> completed(all, Set.of("up-2"))
                            && storedUnder(all, versionB) == uploaded + clipsEmitted(all, Set.of("up-2")));
            assertEquals(uploaded, storedUnder(all, versionA), "nothing new under the old encoder's version");

            cli(concat(new String[] {"model", "retire", versionA}, target));
            await("the retired version's clips are dropped", () -> storedUnder(all, versionA) == 0);
            assertEquals(
                    uploaded + clipsEmitted(all, Set.of("up-2")),
                    search(all, "a red circle", null, 100).get("hits").size());
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = new String[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private static String cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Clip4StreamCommand.commandLine(new PrintWriter(out), new PrintWriter(err), Map.of())
                .execute(args);
        if (code != 0) {
            throw new AssertionError("clip4stream " + String.join(" ", args) + " exited " + code + ":\n" + out + err);
        }
        return out.toString();
    }

    private static void upload(AllInOne all, String id, Path video) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(all.ingestUri().resolve("/sources/upload?sourceId=" + id))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(Files.readAllBytes(video)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(202, response.statusCode(), response.body());
    }

    private static JsonNode get(URI uri) {
        try {
            HttpResponse<String> response =
                    HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(uri + " answered " + response.statusCode() + ": " + response.body());
            }
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException(uri + " did not answer", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static boolean completed(AllInOne all, Set<String> ids) {
        int done = 0;
        for (JsonNode source : get(all.ingestUri().resolve("/sources")).path("sources")) {
            if (ids.contains(source.path("sourceId").asText())
                    && source.path("state").asText().equals("DONE")) {
                done++;
            }
        }
        return done == ids.size();
    }

    private static long clipsEmitted(AllInOne all, Set<String> ids) {
        long clips = 0;
        for (JsonNode source : get(all.ingestUri().resolve("/sources")).path("sources")) {
            if (ids.contains(source.path("sourceId").asText())) {
                clips += source.path("clipsEmitted").asLong();
            }
        }
        return clips;
    }

    /** The clips the index instance holds under {@code version}, over its shards. */
    private static long clipsUnder(AllInOne all, String version) {
        long held = 0;
        JsonNode shards = get(all.indexUri().resolve("/v1/models"))
                .path("versions")
                .path(version)
                .path("shards");
        for (Iterator<JsonNode> it = shards.elements(); it.hasNext(); ) {
            held += it.next().path("held").asLong();
        }
        return held;
    }

    /** The clips the index instance's shards store under {@code version}, whatever a model change reports. */
    private static long storedUnder(AllInOne all, String version) {
        return get(all.indexUri().resolve("/v1/models"))
                .path("clipsPerModelVersion")
                .path(version)
                .asLong(0);
    }

    private static boolean ready(AllInOne all, String version) {
        return get(all.pageUri().resolve("/v1/models"))
                .path("versions")
                .path(version)
                .path("ready")
                .asBoolean(false);
    }

    private static JsonNode search(AllInOne all, String text, String version, int k) {
        return get(all.pageUri()
                .resolve("/search?rerank=false&k=" + k + "&candidates=" + Math.max(k, 50) + "&q="
                        + URLEncoder.encode(text, StandardCharsets.UTF_8)
                        + (version == null ? "" : "&modelVersion=" + version)));
    }

    private static Set<String> clipIds(JsonNode answer) {
        Set<String> ids = new TreeSet<>();
        answer.path("hits").forEach(hit -> ids.add(hit.path("clipId").asText()));
        return ids;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (IllegalStateException notYet) {
                last = notYet;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("timed out after " + WAIT + " waiting until " + what, last);
    }
}
