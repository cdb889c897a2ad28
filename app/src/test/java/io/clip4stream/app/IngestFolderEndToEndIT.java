package io.clip4stream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.clip4stream.app.cli.Clip4StreamCommand;
import io.clip4stream.app.demo.DefaultModel;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/clip4stream ingest FOLDER} against the whole pipeline: every video in the folder is uploaded and
 * followed until its clips are searchable, and a file that is no video is reported without stopping the others.
 */
class IngestFolderEndToEndIT {
    @TempDir
    static Path dir;

    private static AllInOne all;

    @BeforeAll
    static void start() throws Exception {
        Path model = DefaultModel.ensure(dir.resolve("model"));
        all = new AllInOne(new AllInOne.Options(0, dir.resolve("data"), model, 1, 2), Map.of(), step -> {}).start();
    }

    @AfterAll
    static void stop() {
        if (all != null) {
            all.close();
        }
    }

    @Test
    void aFolderOfVideosBecomesSearchableAndABrokenFileIsReported() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("holiday"));
        for (Path video : SampleVideos.write(dir.resolve("written"))) {
            Files.copy(video, folder.resolve(video.getFileName()));
        }
        Files.write(folder.resolve("broken.mp4"), new byte[] {0, 1, 2, 3, 4, 5, 6, 7});
        Files.writeString(folder.resolve("notes.txt"), "not a video");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();

        int exit = ingest(folder, out, err);

        String context = "out: " + out + "\nerr: " + err;
        assertEquals(1, exit, context);
        assertTrue(out.toString().contains("Searchable: 3 of 4 sources, 15 clip(s)."), context);
        assertTrue(err.toString().contains("Failed broken: The upload is not a usable video"), context);
        JsonNode hits =
                SearchApi.search(all.pageUri(), "a blue star grows", 100, false).get("hits");
        Set<String> sources = new HashSet<>();
        hits.forEach(hit -> sources.add(hit.get("sourceId").asText()));
        assertEquals(Set.of("sample-a", "sample-b", "sample-c"), sources, context);
        assertEquals(15, hits.size(), context);

        // Run again (as after adding videos to the folder): what was ingested is skipped, not uploaded twice.
        StringWriter again = new StringWriter();
        StringWriter againErr = new StringWriter();
        assertEquals(1, ingest(folder, again, againErr), again + "\n" + againErr);
        assertTrue(
                again.toString().contains("Searchable: 0 of 4 sources, 0 clip(s); 3 ingested before."),
                again + "\n" + againErr);
        assertEquals(
                15,
                SearchApi.search(all.pageUri(), "anything", 100, false)
                        .get("hits")
                        .size());
    }

    private static int ingest(Path folder, StringWriter out, StringWriter err) {
        return Clip4StreamCommand.commandLine(
                        new PrintWriter(out, true), new PrintWriter(err, true), Map.of("XDG_STATE_HOME", "/nowhere"))
                .execute(
                        "ingest",
                        folder.toString(),
                        "--ingest-url",
                        all.ingestUri().toString(),
                        "--query-url",
                        all.pageUri().toString(),
                        "--timeout",
                        "300");
    }
}
