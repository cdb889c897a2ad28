package io.clip4stream.query.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.query.QueryConfig;
import io.clip4stream.query.QueryService;
import io.clip4stream.query.TinyIndexFixture;
import io.clip4stream.query.bench.InMemoryIndexServer;
import io.clip4stream.testkit.RequiredTool;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The page in headless Chromium over an index whose clips were all embedded by another model version: the empty
 * result list shows the search's note naming the versions and their clip counts.
 */
class EmptyModelVersionBrowserIT {

    @TempDir
    Path modelDir;

    @Test
    void shouldShowWhyASearchUnderAnEmptyVersionFindsNothing() throws Exception {
        Path chromium = RequiredTool.CHROMIUM.require(DevToolsBrowser.findChromium());
        try (TinyIndexFixture fixture = TinyIndexFixture.withoutTightHead(modelDir)) {
            fixture.addClipsUnder("model-a", "cam-a", 4);
            try (InMemoryIndexServer shard = fixture.serve(List.of(), List.of(0))) {
                QueryService service = new QueryService(
                        QueryConfig.fromEnv(
                                TinyIndexFixture.env(modelDir, shard.uri().toString(), Map.of())),
                        fixture.model());
                service.start();
                try (DevToolsBrowser browser = DevToolsBrowser.launch(chromium)) {
                    browser.navigate(service.uri().resolve("/"));
                    browser.evaluate("document.getElementById('query').value = 'a red ball';"
                            + " document.getElementById('search-form').requestSubmit(); true");
                    browser.waitUntil("document.getElementById('search-note') !== null");
                    String note = browser.evaluate("document.getElementById('search-note').textContent")
                            .asText();
                    assertTrue(
                            note.startsWith("model version '" + fixture.info().modelVersion() + "' holds no clips")
                                    && note.contains("4 clips under 'model-a'"),
                            note);
                    assertEquals(
                            0,
                            browser.evaluate("document.querySelectorAll('#results li.hit').length")
                                    .asInt());
                } finally {
                    service.close();
                }
            }
        }
    }
}
