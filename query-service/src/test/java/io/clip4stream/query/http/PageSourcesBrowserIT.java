package io.clip4stream.query.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.query.QueryConfig;
import io.clip4stream.query.QueryService;
import io.clip4stream.query.TinyIndexFixture;
import io.clip4stream.query.bench.InMemoryIndexServer;
import io.clip4stream.runtime.http.ApiException;
import io.clip4stream.runtime.http.Exchange;
import io.clip4stream.runtime.http.HttpHost;
import io.clip4stream.testkit.RequiredTool;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a new user reads on the page, in headless Chromium at 1024 and 1920 px: the model line (random weights said
 * plainly), the score explanation, every source with failed ones and their reason, a delete button that asks first,
 * readable upload errors, a favicon, and no sideways scrolling with a long source name. Screenshots of both widths
 * go to {@code target/browser}. Skips without Chromium.
 */
class PageSourcesBrowserIT {
    /** The longest source id there is (128 characters, no spaces to break at). */
    private static final String LONG_ID = "camera-" + "x".repeat(121);

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path modelDir;

    @Test
    void showsModelScoresEverySourceAndDeletesWithoutOverflowAtTwoWidths() throws Exception {
        // Aborts without Chromium, or fails under CLIP4S_REQUIRE_TOOLS=1 (as CI runs).
        Optional<Path> chromium = Optional.of(RequiredTool.CHROMIUM.require(DevToolsBrowser.findChromium()));
        try (TinyIndexFixture fixture = TinyIndexFixture.withTightHead(modelDir)) {
            fixture.addClips("cam-a", 4, "default", List.of()).addClips(LONG_ID, 4, "default", List.of());
            try (InMemoryIndexServer shard = fixture.serve(List.of("cam-a", LONG_ID), List.of(0, 1))) {
                FakeIngest ingest = new FakeIngest();
                ingest.statuses.put("cam-a", status("cam-a", "DONE", "UPLOAD", null));
                ingest.statuses.put(LONG_ID, status(LONG_ID, "DONE", "URL", null));
                ingest.statuses.put("broken-url", status("broken-url", "FAILED", "URL", "The URL answered HTTP 404"));
                ingest.statuses.put("gone", status("gone", "DELETED", "UPLOAD", null));
                QueryService service = new QueryService(
                        QueryConfig.fromEnv(TinyIndexFixture.env(
                                modelDir,
                                shard.uri().toString(),
                                Map.of(
                                        "CLIP4S_QUERY_INGEST_URL",
                                        ingest.host.uri().toString()))),
                        fixture.model());
                service.start();
                try (DevToolsBrowser browser = DevToolsBrowser.launch(chromium.get())) {
                    HttpResponse<String> favicon = HttpClient.newHttpClient()
                            .send(
                                    HttpRequest.newBuilder(service.uri().resolve("/favicon.ico"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString());
                    assertEquals(200, favicon.statusCode());
                    assertTrue(favicon.body().startsWith("<svg"), favicon.body());
                    for (int width : new int[] {1024, 1920}) {
                        checkAt(width, service, browser);
                    }
                    deletesAfterConfirmation(browser, ingest);
                    showsUploadErrorsAsSentences(browser);
                    uploadsSeveralFilesEachNamedAfterItself(browser, ingest);
                } finally {
                    service.close();
                    ingest.host.close();
                }
            }
        }
    }

    private static void checkAt(int width, QueryService service, DevToolsBrowser browser) throws Exception {
        browser.call(
                "Emulation.setDeviceMetricsOverride",
                Map.of("width", width, "height", 900, "deviceScaleFactor", 1, "mobile", false));
        browser.navigate(service.uri().resolve("/"));
        browser.waitUntil("document.getElementById('model-line').textContent.length > 0");
        String model = browser.evaluate("document.getElementById('model-line').textContent")
                .asText();
        assertTrue(model.startsWith("Model: tiny-query (tiny-seed-7)"), model);
        assertTrue(model.contains("RANDOM WEIGHTS") && model.contains("meaningless"), model);
        String note = browser.evaluate("document.getElementById('score-note').innerText")
                .asText();
        assertTrue(note.contains("score") && note.contains("cosine similarity"), note);

        // The failed source the index never saw is listed with its reason; the deleted one is not.
        browser.waitUntil("document.querySelectorAll('#sources-table tbody tr').length === 3");
        List<String> ids = new ArrayList<>();
        browser.evaluate("[...document.querySelectorAll('#sources-table tbody tr')].map(tr => tr.dataset.sourceId)")
                .forEach(id -> ids.add(id.asText()));
        assertEquals(List.of("broken-url", "cam-a", LONG_ID), ids);
        String failed = browser.evaluate("document.querySelector('#sources-table tr.failed').innerText")
                .asText();
        assertTrue(failed.contains("FAILED URL") && failed.contains("The URL answered HTTP 404"), failed);
        assertEquals(
                3,
                browser.evaluate("document.querySelectorAll('#sources-table button.delete').length")
                        .asInt());

        browser.evaluate("document.getElementById('query').value = 'a red bike';"
                + " document.getElementById('search-form').requestSubmit(); true");
        browser.waitUntil("document.querySelectorAll('#results li.hit').length === 8");
        assertTrue(
                browser.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
                        .asBoolean(),
                "no horizontal scrolling at " + width + " px: scrollWidth "
                        + browser.evaluate("document.documentElement.scrollWidth"));
        Path screenshot = Path.of("target", "browser", "page-" + width + ".png");
        browser.screenshot(screenshot);
        assertTrue(Files.size(screenshot) > 10_000, "a screenshot of the rendered page");
    }

    private static void deletesAfterConfirmation(DevToolsBrowser browser, FakeIngest ingest) throws Exception {
        // Declined first: nothing is sent.
        browser.evaluate("window.confirmed = []; window.confirm = (m) => { window.confirmed.push(m); return false; };"
                + " document.querySelector('tr[data-source-id=\"broken-url\"] button.delete').click(); true");
        assertEquals(
                "Delete broken-url? Its clips leave the search results and its stored video is removed. This cannot"
                        + " be undone.",
                browser.evaluate("window.confirmed[0]").asText());
        assertEquals(List.of(), ingest.deletes);
        browser.evaluate("window.confirm = () => true;"
                + " document.querySelector('tr[data-source-id=\"broken-url\"] button.delete').click(); true");
        browser.waitUntil("document.getElementById('sources-status').textContent === 'Deleted broken-url.'");
        browser.waitUntil("!document.querySelector('tr[data-source-id=\"broken-url\"]')");
        assertEquals(List.of("broken-url"), ingest.deletes);
    }

    private void showsUploadErrorsAsSentences(DevToolsBrowser browser) throws Exception {
        Path file = modelDir.resolve("noise.mp4");
        Files.write(file, new byte[] {1, 2, 3, 4});
        browser.evaluate("document.getElementById('upload-source').value = 'noise'; true");
        browser.chooseFile("#upload-file", file);
        browser.evaluate("document.getElementById('upload-form').requestSubmit(); true");
        browser.waitUntil("document.getElementById('ingest-status').textContent.startsWith('Upload failed')");
        String status = browser.evaluate("document.getElementById('ingest-status').textContent")
                .asText();
        assertEquals(
                "Upload failed: The upload is not a usable video: the file is not a video FFmpeg can read", status);
        assertFalse(status.contains("{") || status.contains("not_a_video"), status);
    }

    private void uploadsSeveralFilesEachNamedAfterItself(DevToolsBrowser browser, FakeIngest ingest) throws Exception {
        List<Path> files = new ArrayList<>();
        for (String name : new String[] {"good day.mp4", "good-night.mov", "noise.mp4"}) {
            files.add(Files.write(modelDir.resolve(name), new byte[] {1, 2, 3, 4}));
        }
        ingest.uploads.clear();
        // A typed id names one upload only.
        browser.evaluate("document.getElementById('upload-source').value = 'all'; true");
        browser.chooseFiles("#upload-file", files);
        browser.evaluate("document.getElementById('upload-form').requestSubmit(); true");
        browser.waitUntil("document.getElementById('ingest-status').textContent.startsWith('A source id names')");
        assertEquals(List.of(), ingest.uploads);

        browser.evaluate("document.getElementById('upload-source').value = '';"
                + " document.getElementById('upload-form').requestSubmit(); true");
        browser.waitUntil("document.getElementById('ingest-status').textContent.startsWith('Accepted 2 of 3')");

        assertEquals(List.of("good-day", "good-night", "noise"), ingest.uploads, "one after another, by file name");
        assertEquals(
                "Accepted 2 of 3 uploads (good-day, good-night). Failed: noise.mp4: The upload is not a usable video:"
                        + " the file is not a video FFmpeg can read",
                browser.evaluate("document.getElementById('ingest-status').textContent")
                        .asText());

        // Videos dropped on the form are uploaded the same way.
        ingest.uploads.clear();
        browser.evaluate("const transfer = new DataTransfer();"
                + " transfer.items.add(new File([new Uint8Array([1, 2, 3])], 'good evening.mp4', { type: 'video/mp4' }));"
                + " transfer.items.add(new File([new Uint8Array([1, 2, 3])], 'good morning.mp4', { type: 'video/mp4' }));"
                + " document.getElementById('upload-form').dispatchEvent("
                + "   new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true })); true");
        browser.waitUntil("document.getElementById('ingest-status').textContent.startsWith('Accepted 2 uploads')");
        assertEquals(List.of("good-evening", "good-morning"), ingest.uploads);
    }

    private static Map<String, Object> status(String id, String state, String kind, String reason) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("sourceId", id);
        json.put("state", state);
        json.put("kind", kind);
        json.put("progressPercent", 100.0);
        json.put("clipsEmitted", 4);
        json.put("reason", reason);
        return json;
    }

    /**
     * The ingest-service's source routes: the list, one status, DELETE, and uploads: accepted for ids starting with
     * "good", otherwise refused as not a video.
     */
    private static final class FakeIngest {
        private final Map<String, Map<String, Object>> statuses = new ConcurrentHashMap<>();
        private final List<String> deletes = new CopyOnWriteArrayList<>();
        private final List<String> uploads = new CopyOnWriteArrayList<>();
        private final HttpHost host = HttpHost.builder("fake-ingest")
                .port(0)
                .bindAddress("127.0.0.1")
                .route("/sources", this::sources)
                .build()
                .start();

        private void sources(Exchange exchange) throws java.io.IOException {
            String path = exchange.path();
            if (path.equals("/sources") && exchange.method().equals("GET")) {
                List<Map<String, Object>> live = statuses.values().stream()
                        .filter(s -> !"DELETED".equals(s.get("state")))
                        .toList();
                exchange.respondJson(200, Map.of("sources", live));
            } else if (path.equals("/sources/upload")) {
                exchange.body(1 << 20);
                String id = exchange.query().get("sourceId");
                uploads.add(id);
                if (id.startsWith("good")) {
                    exchange.respondJson(202, Map.of("sourceId", id, "kind", "UPLOAD"));
                    return;
                }
                throw new ApiException(
                        422,
                        "not_a_video",
                        "The upload is not a usable video: the file is not a video FFmpeg can read");
            } else {
                String id = path.substring("/sources/".length());
                Map<String, Object> status = statuses.get(id);
                if (status == null) {
                    throw ApiException.notFound("No source " + id);
                }
                if (exchange.method().equals("DELETE")) {
                    deletes.add(id);
                    Map<String, Object> deleted = new LinkedHashMap<>(status);
                    deleted.put("state", "DELETED");
                    statuses.put(id, deleted);
                    exchange.respondJson(202, Map.of("sourceId", id, "state", "DELETING"));
                } else {
                    exchange.respondJson(200, status);
                }
            }
        }
    }
}
