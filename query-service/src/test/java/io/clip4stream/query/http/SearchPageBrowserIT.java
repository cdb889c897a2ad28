package io.clip4stream.query.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.query.QueryConfig;
import io.clip4stream.query.QueryService;
import io.clip4stream.query.TinyIndexFixture;
import io.clip4stream.query.bench.InMemoryIndexServer;
import io.clip4stream.testkit.RequiredTool;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web page in headless Chromium: a real query service with the tiny model over index instances holding real
 * tiny-model vectors and thumbnails. Skips when no Chromium is installed, fails then where tools are required ({@link
 * RequiredTool}; {@code .ci/run} installs it).
 */
class SearchPageBrowserIT {
    private static final String KEY = "browser-test-key-0123456789";
    private static final String INGEST_KEY = "ingest-side-key-0123456789";
    private static final String QUERY = "a man riding a red bike";
    /** The stored video is longer than the fixture's 8 clips of 12 s, so every hit's time lies in it. */
    private static final int VIDEO_SECONDS = 100;

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path modelDir;

    @Test
    void shouldSearchAndShowHitsWithThumbnailsTimeRangesScoresAndSourceStatus() throws Exception {
        Path chromium = RequiredTool.CHROMIUM.require(DevToolsBrowser.findChromium());

        try (TinyIndexFixture fixture = TinyIndexFixture.withTightHead(modelDir)) {
            fixture.addClips("cam-a", 8, "default", List.of()).addClips("lobby", 8, "default", List.of());
            try (InMemoryIndexServer shardA = fixture.serve(List.of("cam-a"), List.of(0));
                    InMemoryIndexServer shardB = fixture.serve(List.of("lobby"), List.of(1))) {
                Path video = modelDir.resolve("stored.mp4");
                // Without ffmpeg (installed by .ci/run) everything but playback is still checked, except where
                // tools are required.
                boolean playable = RequiredTool.FFMPEG.optional(writeVideo(video), "playback of a hit");
                FakeIngest ingest = new FakeIngest(playable ? Files.readAllBytes(video) : new byte[0]);
                QueryService service = new QueryService(
                        QueryConfig.fromEnv(TinyIndexFixture.env(
                                modelDir,
                                shardA.uri() + "," + shardB.uri(),
                                Map.of(
                                        "CLIP4S_QUERY_API_KEYS",
                                        KEY,
                                        "CLIP4S_QUERY_INGEST_URL",
                                        ingest.host.uri().toString(),
                                        "CLIP4S_QUERY_INGEST_API_KEY",
                                        INGEST_KEY))),
                        fixture.model());
                service.start();
                try (DevToolsBrowser browser = DevToolsBrowser.launch(chromium)) {
                    runScenario(service, browser);
                    if (playable) {
                        playsAHitAtItsTime(service, browser, ingest);
                    }
                    addVideos(browser, ingest);
                    Path screenshot = Path.of("target", "browser", "search-page.png");
                    browser.screenshot(screenshot);
                    assertTrue(Files.size(screenshot) > 10_000, "a screenshot of the rendered page");
                    showsIngestOutageOnce(browser, ingest);
                } finally {
                    service.close();
                    ingest.close();
                }
            }
        }
    }

    private static void runScenario(QueryService service, DevToolsBrowser browser) throws Exception {
        JsonNode expected = JSON.readTree(HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(service.uri() + "/search?k=5&q="
                                        + java.net.URLEncoder.encode(QUERY, java.nio.charset.StandardCharsets.UTF_8)))
                                .header("X-Api-Key", KEY)
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body());

        browser.navigate(service.uri().resolve("/"));
        browser.evaluate("document.getElementById('api-key').value = " + JSON.writeValueAsString(KEY) + "; true");
        browser.evaluate("document.getElementById('query').value = " + JSON.writeValueAsString(QUERY)
                + "; document.getElementById('k').value = '5';"
                + " document.getElementById('search-form').requestSubmit(); true");
        browser.waitUntil("document.querySelectorAll('#results li.hit').length === 5");
        browser.waitUntil(
                "[...document.querySelectorAll('#results img')]" + ".every(i => i.complete && i.naturalWidth > 0)");

        List<String> shownIds = new ArrayList<>();
        browser.evaluate("[...document.querySelectorAll('#results li.hit')].map(li => li.dataset.clipId)")
                .forEach(id -> shownIds.add(id.asText()));
        List<String> apiIds = new ArrayList<>();
        expected.get("hits").forEach(hit -> apiIds.add(hit.get("clipId").asText()));
        assertEquals(apiIds, shownIds, "the page shows the API's hits in the API's order");

        JsonNode first = expected.get("hits").get(0);
        assertEquals(
                clock(first.get("startMicros").asLong()) + " – "
                        + clock(first.get("endMicros").asLong()),
                browser.evaluate("document.querySelector('#results li.hit .time').textContent")
                        .asText());
        assertTrue(browser.evaluate("document.querySelector('#results li.hit .scores').textContent")
                .asText()
                .contains(String.format(Locale.ROOT, "%.4f", first.get("score").asDouble())));
        assertEquals(
                64,
                browser.evaluate("document.querySelector('#results img').naturalWidth")
                        .asInt());
        String status = browser.evaluate("document.getElementById('search-status').textContent")
                .asText();
        assertTrue(status.contains("2/2 shards") && status.contains("tight re-rank"), status);

        browser.evaluate("document.getElementById('refresh-sources').click(); true");
        browser.waitUntil("document.querySelectorAll('#sources-table tbody tr').length === 2");
        String table = browser.evaluate("document.querySelector('#sources-table tbody').innerText")
                .asText();
        assertTrue(table.contains("cam-a") && table.contains("lobby") && table.contains("1:36.0"), table);
    }

    /**
     * Clicks the first hit that does not start at 0 and checks that the player loads the source's video through the
     * query service (a signed link, as the test runs with API keys) at the hit's time, with ranged (206) requests.
     */
    private static void playsAHitAtItsTime(QueryService service, DevToolsBrowser browser, FakeIngest ingest)
            throws Exception {
        int index = (int) browser.evaluate(
                        "[...document.querySelectorAll('#results li.hit .time')].findIndex(t => !t.textContent.startsWith('0:00.0'))")
                .asInt();
        assertTrue(index >= 0, "a hit that starts after 0");
        JsonNode hits =
                browser.evaluate("[...document.querySelectorAll('#results li.hit')].map(li => li.dataset.clipId)");
        String clipId = hits.get(index).asText();
        String sourceId = clipId.substring(0, clipId.indexOf(':'));
        double start = Long.parseLong(clipId.substring(clipId.indexOf(':') + 1)) * 12.0;
        browser.evaluate("document.querySelectorAll('#results li.hit')[" + index + "].click(); true");
        // HAVE_CURRENT_DATA: Chromium decoded the H.264 frame at the current position.
        browser.waitUntil(
                "document.getElementById('player').readyState >= 2" + " && !document.getElementById('player').seeking");
        String src = browser.evaluate("document.getElementById('player').src").asText();
        assertTrue(src.startsWith(service.uri() + "/media/" + sourceId + "?expires=") && src.contains("&sig="), src);
        assertTrue(src.endsWith("#t=" + fragmentNumber(start) + "," + fragmentNumber(start + 12)), src);
        double duration =
                browser.evaluate("document.getElementById('player').duration").asDouble();
        assertEquals(VIDEO_SECONDS, duration, 0.5, "the whole stored video's duration");
        double time = browser.evaluate("document.getElementById('player').currentTime")
                .asDouble();
        // The player starts at the hit's start and may have played on, but the fragment stops it at the hit's end.
        assertTrue(time >= start - 0.5 && time <= start + 12 + 0.5, "currentTime " + time + " for a hit at " + start);
        assertTrue(ingest.mediaStatuses.contains(206), "ranged requests answered 206: " + ingest.mediaStatuses);
        assertTrue(
                ingest.mediaRequests.stream().allMatch(("GET /sources/" + sourceId + "/media")::equals),
                ingest.mediaRequests.toString());
        assertEquals(
                "",
                browser.evaluate("document.getElementById('player-status').textContent")
                        .asText());
    }

    /** A URL's media fragment number as JavaScript prints it (12 rather than 12.0). */
    private static String fragmentNumber(double seconds) {
        return seconds == Math.rint(seconds) ? Long.toString((long) seconds) : Double.toString(seconds);
    }

    /** With the ingest-service gone, overlapping refreshes show its status message once. */
    private static void showsIngestOutageOnce(DevToolsBrowser browser, FakeIngest ingest) throws Exception {
        browser.evaluate("document.getElementById('refresh-sources').click(); true");
        browser.waitUntil("document.getElementById('sources-status').dataset.pending === '0'");
        String reachable = browser.evaluate("document.getElementById('sources-status').textContent")
                .asText();
        assertEquals("", reachable, "sources the ingest service does not know (404) are not an outage");
        assertTrue(browser.evaluate("document.querySelector('#sources-table tbody').innerText")
                .asText()
                .contains("not known to the ingest service"));
        ingest.close();
        browser.evaluate("document.getElementById('refresh-sources').click();"
                + " document.getElementById('refresh-sources').click(); true");
        browser.waitUntil("document.getElementById('sources-status').dataset.pending === '0'");
        String status = browser.evaluate("document.getElementById('sources-status').textContent")
                .asText();
        assertEquals(1, status.split("Ingest status unavailable", -1).length - 1, status);
    }

    /** Uploads a file and registers a live stream through the page's forms; the ingest side sees both. */
    private void addVideos(DevToolsBrowser browser, FakeIngest ingest) throws Exception {
        byte[] video = new byte[50_000];
        new java.util.Random(1).nextBytes(video);
        Path file = modelDir.resolve("holiday.mp4");
        Files.write(file, video);
        browser.evaluate("document.getElementById('upload-source').value = 'holiday'; true");
        browser.chooseFile("#upload-file", file);
        browser.evaluate("document.getElementById('upload-form').requestSubmit(); true");
        browser.waitUntil("document.getElementById('ingest-status').textContent.startsWith('Accepted')");
        browser.evaluate("document.getElementById('live-source').value = 'gate-cam';"
                + " document.getElementById('live-url').value = 'rtsp://gate.local/stream';"
                + " document.getElementById('live-form').requestSubmit(); true");
        browser.waitUntil("document.getElementById('ingest-status').textContent.startsWith('Registered')");
        browser.waitUntil("document.querySelector('#sources-table tbody').innerText.includes('ACCEPTED LIVE')");

        assertEquals(List.of("POST /sources/upload sourceId=holiday", "POST /sources"), ingest.writes());
        org.junit.jupiter.api.Assertions.assertArrayEquals(video, ingest.upload);
        JsonNode live = JSON.readTree(ingest.registration);
        assertEquals("gate-cam", live.get("sourceId").asText());
        assertEquals("LIVE", live.get("kind").asText());
        assertEquals("rtsp://gate.local/stream", live.get("uri").asText());
        assertTrue(ingest.keys.stream().allMatch(INGEST_KEY::equals), "the proxy sends the ingest key");
        String table = browser.evaluate("document.querySelector('#sources-table tbody').innerText")
                .asText();
        assertTrue(table.contains("holiday") && table.contains("ACCEPTED UPLOAD"), table);
    }

    /** Writes a {@link #VIDEO_SECONDS} s H.264 MP4 with the ffmpeg command; false when there is none. */
    private static boolean writeVideo(Path file) throws InterruptedException {
        try {
            Process ffmpeg = new ProcessBuilder(
                            "ffmpeg",
                            "-v",
                            "error",
                            "-y",
                            "-f",
                            "lavfi",
                            "-i",
                            "testsrc=size=160x120:rate=5",
                            "-t",
                            Integer.toString(VIDEO_SECONDS),
                            "-c:v",
                            "libx264",
                            "-pix_fmt",
                            "yuv420p",
                            "-movflags",
                            "+faststart",
                            file.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return ffmpeg.waitFor() == 0 && Files.size(file) > 0;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** The ingest-service's source routes as an in-process HTTP server that remembers what it was sent. */
    private static final class FakeIngest {
        private static final java.util.regex.Pattern RANGE = java.util.regex.Pattern.compile("bytes=(\\d+)-(\\d*)");
        private final byte[] video;
        private final List<String> mediaRequests = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final List<Integer> mediaStatuses = new java.util.concurrent.CopyOnWriteArrayList<>();

        private final java.util.concurrent.atomic.AtomicBoolean closed =
                new java.util.concurrent.atomic.AtomicBoolean();

        FakeIngest(byte[] video) {
            this.video = video;
        }

        void close() {
            if (closed.compareAndSet(false, true)) {
                host.close();
            }
        }

        private final List<String> writes = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final List<String> keys = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final Map<String, String> kinds = new java.util.concurrent.ConcurrentHashMap<>();
        private volatile byte[] upload;
        private volatile byte[] registration;
        private final io.clip4stream.runtime.http.HttpHost host = io.clip4stream.runtime.http.HttpHost.builder(
                        "fake-ingest")
                .port(0)
                .bindAddress("127.0.0.1")
                .apiKeys(java.util.Set.of(INGEST_KEY))
                .route("/sources", this::sources)
                .build()
                .start();

        private void sources(io.clip4stream.runtime.http.Exchange exchange) throws java.io.IOException {
            exchange.header("X-Api-Key").ifPresent(keys::add);
            String path = exchange.path();
            if (exchange.method().equals("POST") && path.equals("/sources/upload")) {
                String id = exchange.query().get("sourceId");
                writes.add("POST /sources/upload sourceId=" + id);
                upload = exchange.body(1 << 20);
                kinds.put(id, "UPLOAD");
                exchange.respondJson(202, Map.of("sourceId", id, "kind", "UPLOAD", "state", "ACCEPTED"));
            } else if (exchange.method().equals("POST") && path.equals("/sources")) {
                writes.add("POST /sources");
                registration = exchange.body(1 << 16);
                String id = JSON.readTree(registration).get("sourceId").asText();
                kinds.put(id, "LIVE");
                exchange.respondJson(202, Map.of("sourceId", id, "kind", "LIVE", "state", "ACCEPTED"));
            } else if (exchange.method().equals("GET") && path.endsWith("/media")) {
                mediaRequests.add("GET " + path);
                java.util.regex.Matcher range =
                        RANGE.matcher(exchange.header("Range").orElse(""));
                exchange.responseHeader("Accept-Ranges", "bytes");
                if (range.matches()) {
                    int first = Integer.parseInt(range.group(1));
                    int last = range.group(2).isEmpty()
                            ? video.length - 1
                            : Math.min(video.length - 1, Integer.parseInt(range.group(2)));
                    exchange.responseHeader("Content-Range", "bytes " + first + "-" + last + "/" + video.length);
                    mediaStatuses.add(206);
                    exchange.respond(206, "video/mp4", java.util.Arrays.copyOfRange(video, first, last + 1));
                } else {
                    mediaStatuses.add(200);
                    exchange.respond(200, "video/mp4", video);
                }
            } else {
                String id = path.substring("/sources/".length());
                String kind = kinds.get(id);
                if (kind == null) {
                    throw io.clip4stream.runtime.http.ApiException.notFound("No source " + id);
                }
                exchange.respondJson(
                        200,
                        Map.of(
                                "sourceId",
                                id,
                                "state",
                                "ACCEPTED",
                                "kind",
                                kind,
                                "progressPercent",
                                0.0,
                                "clipsEmitted",
                                0,
                                "reason",
                                ""));
            }
        }

        List<String> writes() {
            return List.copyOf(writes);
        }
    }

    /** The page's m:ss.s format. */
    private static String clock(long micros) {
        double total = micros / 1e6;
        long minutes = (long) Math.floor(total / 60);
        String seconds = String.format(Locale.ROOT, "%.1f", total - minutes * 60);
        return minutes + ":" + (seconds.length() < 4 ? "0" + seconds : seconds);
    }
}
