package io.clip4stream.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ingest} of several sources and folders, against a fake ingest and query API. */
class IngestCommandTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final List<String> uploads = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.AtomicInteger decodingAnswers =
            new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger busyAnswers =
            new java.util.concurrent.atomic.AtomicInteger();
    private volatile HttpServer server;
    private String url;

    /** Accepts every upload but "broken" (422, as for a file that is no video); every source is done, 2 clips. */
    @BeforeEach
    void start() throws Exception {
        start(0);
    }

    private void start(int port) throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            String query = String.valueOf(exchange.getRequestURI().getRawQuery());
            int status = 200;
            String body;
            if (path.equals("/sources/upload")) {
                String id = URLDecoder.decode(query.replaceFirst("^sourceId=", ""), StandardCharsets.UTF_8);
                uploads.add(id);
                if (id.equals("old")) {
                    status = 409;
                    body = "{\"error\":{\"code\":\"already_done\",\"message\":\"Source old was already ingested\"}}";
                } else if (id.equals("broken")) {
                    status = 422;
                    body = "{\"error\":{\"code\":\"not_a_video\",\"message\":\"The upload is not a usable video\"}}";
                } else {
                    status = 202;
                    body = "{\"sourceId\":\"" + id + "\",\"kind\":\"FILE\"}";
                }
            } else if (path.startsWith("/sources/") && busyAnswers.getAndDecrement() > 0) {
                // Overloaded, as the services answer under load.
                status = 503;
                exchange.getResponseHeaders().add("Retry-After", "0");
                body = "{\"error\":{\"code\":\"overloaded\",\"message\":\"The service is busy\"}}";
            } else if (path.startsWith("/sources/") && decodingAnswers.get() > 0) {
                // Still decoding, one more frame each time it is asked.
                long frames = 100 - decodingAnswers.getAndDecrement();
                body = "{\"state\":\"DECODING\",\"framesSampled\":" + frames + ",\"clipsEmitted\":0}";
            } else if (path.startsWith("/sources/")) {
                body = "{\"state\":\"DONE\",\"clipsEmitted\":2,\"progressPercent\":100,\"reason\":null}";
            } else {
                body = "{\"hits\":[{},{}]}";
            }
            JsonAnswer.send(exchange, status, body);
        });
        server.start();
        url = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private int run(String... args) {
        String[] all = new String[args.length + 5];
        all[0] = "ingest";
        System.arraycopy(args, 0, all, 1, args.length);
        System.arraycopy(new String[] {"--ingest-url", url, "--query-url", url}, 0, all, args.length + 1, 4);
        return Clip4StreamCommand.commandLine(
                        new PrintWriter(out, true), new PrintWriter(err, true), Map.of("XDG_STATE_HOME", "/nowhere"))
                .execute(all);
    }

    @Test
    void aFolderIsIngestedVideoByVideoAndOneRefusedDoesNotStopTheOthers() throws Exception {
        Files.write(dir.resolve("b.mov"), new byte[] {1});
        Files.write(dir.resolve("a.mp4"), new byte[] {1});
        Files.write(dir.resolve("broken.MP4"), new byte[] {1});
        Files.write(dir.resolve("._a.mp4"), new byte[] {1}); // a macOS resource fork, not a video
        Files.writeString(dir.resolve("notes.txt"), "not a video");
        Files.createDirectories(dir.resolve("sub"));
        Files.write(dir.resolve("sub").resolve("c.mp4"), new byte[] {1});

        assertEquals(1, run(dir.toString()));

        assertEquals(List.of("a", "b", "broken"), uploads, "by name, the subfolder left out");
        String printed = out.toString();
        assertTrue(printed.contains("a: searchable, 2 clip(s)"), printed);
        assertTrue(printed.contains("b: searchable, 2 clip(s)"), printed);
        assertTrue(printed.contains("Searchable: 2 of 3 sources, 4 clip(s)."), printed);
        assertTrue(err.toString().contains("Failed broken: The upload is not a usable video"), err.toString());
        assertTrue(err.toString().contains("Failed: 1 of 3"), err.toString());
    }

    @Test
    void recursiveTakesTheSubfoldersAndEveryoneSearchableExitsZero() throws Exception {
        Files.write(dir.resolve("a.mp4"), new byte[] {1});
        Files.createDirectories(dir.resolve("sub"));
        Files.write(dir.resolve("sub").resolve("c.mkv"), new byte[] {1});

        assertEquals(0, run(dir.toString(), "--recursive"));

        assertEquals(List.of("a", "c"), uploads);
        assertTrue(out.toString().contains("Searchable: 2 of 2 sources, 4 clip(s)."), out.toString());
        assertEquals("", err.toString());
    }

    @Test
    void aVideoIngestedBeforeIsSkippedSoAFolderCanBeRunAgain() throws Exception {
        Files.write(dir.resolve("new.mp4"), new byte[] {1});
        Files.write(dir.resolve("old.mp4"), new byte[] {1});

        assertEquals(0, run(dir.toString()));

        assertTrue(out.toString().contains("old: ingested before, skipped"), out.toString());
        assertTrue(
                out.toString().contains("Searchable: 1 of 2 sources, 2 clip(s); 1 ingested before."), out.toString());
        assertEquals("", err.toString());
    }

    @Test
    void aSingleVideoIngestedBeforeIsStillAnError() throws Exception {
        Path old = Files.write(dir.resolve("old.mp4"), new byte[] {1});

        assertEquals(1, run(old.toString()));

        assertTrue(err.toString().startsWith("Error: Source old was already ingested"), err.toString());
    }

    @Test
    void jsonSaysWhatBecameOfEachSourceAndNothingElse() throws Exception {
        Files.write(dir.resolve("a.mp4"), new byte[] {1});
        Files.write(dir.resolve("broken.mp4"), new byte[] {1});
        Files.write(dir.resolve("old.mp4"), new byte[] {1});

        assertEquals(1, run(dir.toString(), "--json"));

        assertEquals("", err.toString());
        JsonNode root = new ObjectMapper().readTree(out.toString());
        assertEquals(1, out.toString().strip().lines().count(), out.toString());
        List<String> results = new java.util.ArrayList<>();
        root.get("sources")
                .forEach(source -> results.add(source.get("sourceId").asText() + ":"
                        + source.get("result").asText() + ":"
                        + source.get("clips").asLong()));
        assertEquals(List.of("a:searchable:2", "broken:failed:0", "old:skipped:0"), results);
        assertEquals(
                "The upload is not a usable video",
                root.get("sources").get(1).get("reason").asText());
        assertTrue(root.get("sources").get(0).get("source").asText().endsWith("a.mp4"));
        assertEquals(1, root.get("searchable").asInt());
        assertEquals(1, root.get("skipped").asInt());
        assertEquals(1, root.get("failed").asInt());
        assertEquals(0, root.get("timedOut").asInt());
        assertEquals(2, root.get("clips").asLong());
    }

    @Test
    void jsonForOneSourceKeepsItsId() throws Exception {
        Path a = Files.write(dir.resolve("a.mp4"), new byte[] {1});

        assertEquals(0, run(a.toString(), "--id", "trip", "--json"));

        JsonNode source =
                new ObjectMapper().readTree(out.toString()).get("sources").get(0);
        assertEquals("trip", source.get("sourceId").asText());
        assertEquals("searchable", source.get("result").asText());
        assertTrue(source.get("reason").isNull());
    }

    @Test
    void aFileNamedTwiceIsIngestedOnce() throws Exception {
        Path a = Files.write(dir.resolve("a.mp4"), new byte[] {1});

        assertEquals(
                0,
                run(
                        a.toString(),
                        dir.toString(),
                        dir.resolve(".").resolve("a.mp4").toString()));

        assertEquals(List.of("a"), uploads);
    }

    @Test
    void filesNamedAlikeGetDistinctIds() throws Exception {
        Path a = Files.write(dir.resolve("clip.mp4"), new byte[] {1});
        Path b = Files.write(Files.createDirectories(dir.resolve("other")).resolve("clip.mov"), new byte[] {1});

        assertEquals(0, run(a.toString(), b.toString()));

        assertEquals(List.of("clip", "clip-2"), uploads);
    }

    @Test
    void aSingleFileKeepsItsProgressBarAndId() throws Exception {
        Path a = Files.write(dir.resolve("holiday.mp4"), new byte[] {1});

        assertEquals(0, run(a.toString(), "--id", "trip"));

        assertEquals(List.of("trip"), uploads);
        assertTrue(out.toString().contains("Searchable: 2 clip(s) of trip."), out.toString());
        assertFalse(out.toString().contains("of 1 sources"), out.toString());
    }

    @Test
    void aBusyServiceIsAskedAgainInsteadOfAbandoningTheIngest() throws Exception {
        Path a = Files.write(dir.resolve("a.mp4"), new byte[] {1});
        busyAnswers.set(3);

        assertEquals(0, run(a.toString()), err.toString());

        assertEquals(-1, busyAnswers.get(), "three busy answers, then the status");
        assertTrue(out.toString().contains("Searchable: 2 clip(s) of a."), out.toString());
    }

    @Test
    void aServiceRestartingWhileItIsFollowedIsWaitedFor() throws Exception {
        Path a = Files.write(dir.resolve("a.mp4"), new byte[] {1});
        int port = server.getAddress().getPort();
        // The upload is accepted, then the service goes away for a while (as in a rolling update) and comes back.
        decodingAnswers.set(1);
        Thread restart = new Thread(() -> {
            try {
                while (decodingAnswers.get() > 0) {
                    Thread.sleep(10);
                }
                Thread.sleep(100); // the DECODING answer is on its way; the command waits 0.5 s to ask again
                server.stop(0);
                Thread.sleep(2500);
                start(port);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        restart.start();

        assertEquals(0, run(a.toString()), err.toString());
        restart.join();
        assertTrue(out.toString().contains("Searchable: 2 clip(s) of a."), out.toString());
    }

    @Test
    void aServiceBusyForTooLongEndsTheCommandWithItsMessage() throws Exception {
        Path a = Files.write(dir.resolve("a.mp4"), new byte[] {1});
        busyAnswers.set(IngestCommand.BUSY_RETRIES);

        assertEquals(1, run(a.toString()));

        assertTrue(err.toString().startsWith("Error: The service is busy"), err.toString());
    }

    @Test
    void aSourceIsFollowedAsLongAsItProgressesWhateverTheTimeout() throws Exception {
        Path a = Files.write(dir.resolve("a.mp4"), new byte[] {1});
        Path b = Files.write(dir.resolve("b.mp4"), new byte[] {1});
        // Six polls of 0.5 s (3 s) of progress, past a 1 s timeout.
        decodingAnswers.set(6);

        assertEquals(0, run(a.toString(), "--timeout", "1"), err.toString());
        decodingAnswers.set(6);
        assertEquals(0, run(a.toString(), b.toString(), "--timeout", "1"), err.toString());
    }

    @Test
    void defaultIdsStayWithinTheIngestApisLimit() {
        String longName = "a".repeat(200);
        assertEquals("a".repeat(128), IngestCommand.defaultId("/videos/" + longName + ".mp4"));
        Map<String, String> ids = IngestCommand.uniqueIds(List.of("x/" + longName + ".mp4", "y/" + longName + ".mov"));
        assertEquals("a".repeat(126) + "-2", ids.get("y/" + longName + ".mov"));
        assertEquals("my-trip-2024", IngestCommand.defaultId("/v/my trip 2024.MOV"));
        assertTrue(IngestCommand.defaultId("/v/...mp4").startsWith("source-"));
    }

    @Test
    void videoFilesAreKnownByTheirEnding() {
        assertTrue(IngestCommand.VIDEO_EXTENSIONS.contains("mp4"));
        assertEquals(
                Map.of("x/a.mp4", "a", "y/a.mp4", "a-2", "a-2.mov", "a-2-2"),
                IngestCommand.uniqueIds(List.of("x/a.mp4", "y/a.mp4", "a-2.mov")));
    }
}
