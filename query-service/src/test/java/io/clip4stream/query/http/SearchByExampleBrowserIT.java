package io.clip4stream.query.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.query.QueryConfig;
import io.clip4stream.query.QueryService;
import io.clip4stream.query.TinyIndexFixture;
import io.clip4stream.query.bench.InMemoryIndexServer;
import io.clip4stream.query.example.TestImages;
import io.clip4stream.testkit.RequiredTool;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Search by example on the web page in headless Chromium: an image dropped on the drop zone, and "Find similar" on a
 * hit, each showing the API's hits in the API's order. Skips when no Chromium is installed.
 */
class SearchByExampleBrowserIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @TempDir
    Path modelDir;

    @Test
    void shouldSearchByADroppedImageAndByFindSimilarOnAHit() throws Exception {
        // Aborts without Chromium, or fails under CLIP4S_REQUIRE_TOOLS=1 (as CI runs).
        Optional<Path> chromium = Optional.of(RequiredTool.CHROMIUM.require(DevToolsBrowser.findChromium()));

        try (TinyIndexFixture fixture = TinyIndexFixture.withTightHead(modelDir)) {
            fixture.addClips("cam-a", 8, "default", List.of()).addClips("lobby", 8, "default", List.of());
            try (InMemoryIndexServer shardA = fixture.serve(List.of("cam-a"), List.of(0));
                    InMemoryIndexServer shardB = fixture.serve(List.of("lobby"), List.of(1))) {
                QueryService service = new QueryService(
                        QueryConfig.fromEnv(
                                TinyIndexFixture.env(modelDir, shardA.uri() + "," + shardB.uri(), Map.of())),
                        fixture.model());
                service.start();
                try (DevToolsBrowser browser = DevToolsBrowser.launch(chromium.get())) {
                    browser.navigate(service.uri().resolve("/"));
                    byte[] png = TestImages.encoded("png", 80, 60);
                    dropsAnImage(service, browser, png);
                    searchesAWebpImageTheBrowserCanShow(browser);
                    findsSimilarClips(service, browser);
                } finally {
                    service.close();
                }
            }
        }
    }

    private static void dropsAnImage(QueryService service, DevToolsBrowser browser, byte[] png) throws Exception {
        HttpResponse<String> api = CLIENT.send(
                HttpRequest.newBuilder(URI.create(service.uri() + "/search/image?k=5"))
                        .header("Content-Type", "image/png")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(png))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, api.statusCode(), api.body());
        List<String> expected = ids(JSON.readTree(api.body()));

        browser.evaluate("document.getElementById('k').value = '5';"
                + " const bytes = Uint8Array.from(atob("
                + JSON.writeValueAsString(Base64.getEncoder().encodeToString(png))
                + "), c => c.charCodeAt(0));"
                + " const transfer = new DataTransfer();"
                + " transfer.items.add(new File([bytes], 'photo.png', { type: 'image/png' }));"
                + " document.getElementById('image-drop').dispatchEvent("
                + "   new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true })); true");
        browser.waitUntil("document.getElementById('search-status').dataset.example?.startsWith('image')"
                + " && document.querySelectorAll('#results li.hit').length === 5");
        assertEquals(expected, shownIds(browser), "the page shows the image search's hits in the API's order");
        String status = browser.evaluate("document.getElementById('search-status').textContent")
                .asText();
        assertTrue(status.contains("photo.png") && status.contains("first-stage order"), status);
    }

    /** A WebP image (which the service cannot decode) is redrawn as PNG by the page and searched. */
    private static void searchesAWebpImageTheBrowserCanShow(DevToolsBrowser browser) throws Exception {
        browser.evaluate("window.webpDropped = false;"
                + " const canvas = document.createElement('canvas'); canvas.width = 80; canvas.height = 60;"
                + " const g = canvas.getContext('2d'); g.fillStyle = 'red'; g.fillRect(0, 0, 40, 60);"
                + " g.fillStyle = 'blue'; g.fillRect(40, 0, 40, 60);"
                + " canvas.toBlob((webp) => {"
                + "   const transfer = new DataTransfer();"
                + "   transfer.items.add(new File([webp], 'photo.webp', { type: 'image/webp' }));"
                + "   document.getElementById('image-drop').dispatchEvent("
                + "     new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));"
                + "   window.webpDropped = webp.type === 'image/webp';"
                + " }, 'image/webp'); true");
        browser.waitUntil("window.webpDropped"
                + " && document.getElementById('search-status').textContent.includes('photo.webp')"
                + " && document.querySelectorAll('#results li.hit').length === 5");
        String status = browser.evaluate("document.getElementById('search-status').textContent")
                .asText();
        assertFalse(status.contains("415") || status.contains("cannot be decoded"), status);
        assertFalse(
                browser.evaluate("document.getElementById('search-status').className === 'error'")
                        .asBoolean(),
                status);
    }

    private static void findsSimilarClips(QueryService service, DevToolsBrowser browser) throws Exception {
        String clipId = shownIds(browser).get(1);
        HttpResponse<String> api = CLIENT.send(
                HttpRequest.newBuilder(URI.create(service.uri() + "/search/similar?k=5&clip="
                                + java.net.URLEncoder.encode(clipId, java.nio.charset.StandardCharsets.UTF_8)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, api.statusCode(), api.body());
        List<String> expected = ids(JSON.readTree(api.body()));
        assertFalse(expected.contains(clipId));

        browser.evaluate("document.querySelectorAll('#results li.hit')[1].querySelector('button.find-similar').click();"
                + " true");
        browser.waitUntil("document.getElementById('search-status').dataset.example === "
                + JSON.writeValueAsString("clip " + clipId)
                + " && document.querySelectorAll('#results li.hit').length === 5");
        assertEquals(expected, shownIds(browser), "the page shows the similar clips in the API's order");
        assertFalse(shownIds(browser).contains(clipId), "never the clip itself");
        assertTrue(
                browser.evaluate("document.getElementById('player-box').hidden").asBoolean(),
                "Find similar does not start playback");
    }

    private static List<String> ids(JsonNode result) {
        List<String> ids = new ArrayList<>();
        result.get("hits").forEach(hit -> ids.add(hit.get("clipId").asText()));
        return ids;
    }

    private static List<String> shownIds(DevToolsBrowser browser) throws Exception {
        List<String> shown = new ArrayList<>();
        browser.evaluate("[...document.querySelectorAll('#results li.hit')].map(li => li.dataset.clipId)")
                .forEach(id -> shown.add(id.asText()));
        return shown;
    }
}
