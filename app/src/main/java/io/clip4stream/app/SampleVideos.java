package io.clip4stream.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.app.demo.DemoVideos;
import io.clip4stream.app.demo.DemoWorld;
import io.clip4stream.app.demo.SampleScenes;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The sample videos a first run ingests, so the page shows results at once: scenes of the demo world (coloured shapes
 * moving, growing, spinning...), which the default model was trained to know, five 12-second scenes per video.
 */
public final class SampleVideos {
    /** Seconds of each sample video. */
    public static final int SECONDS = SampleScenes.SCENES_PER_VIDEO * DemoWorld.SCENE_SECONDS;

    private static final int FPS = 8;

    private SampleVideos() {}

    /** Writes the sample videos under {@code mediaDir/samples} (once) and returns their paths. */
    public static List<Path> write(Path mediaDir) throws IOException {
        Path dir = mediaDir.resolve("samples");
        Files.createDirectories(dir);
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < SampleScenes.NAMES.size(); i++) {
            Path file = dir.resolve(SampleScenes.NAMES.get(i) + ".mp4");
            if (!Files.exists(file)) {
                DemoVideos.write(file, SampleScenes.scenes(i), FPS, DemoWorld.DEFAULT_SEED + i);
            }
            files.add(file);
        }
        return files;
    }

    /** Registers each file with the ingest API as a source named after it; returns the source ids. */
    public static List<String> ingest(URI ingestApi, List<Path> files) throws IOException, InterruptedException {
        HttpClient client =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        ObjectMapper json = new ObjectMapper();
        List<String> ids = new ArrayList<>();
        for (Path file : files) {
            String id = file.getFileName().toString().replaceFirst("\\.mp4$", "");
            String body = json.writeValueAsString(
                    Map.of("sourceId", id, "uri", file.toAbsolutePath().toString()));
            HttpResponse<String> response = client.send(
                    HttpRequest.newBuilder(ingestApi.resolve("/sources"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 202 && response.statusCode() != 409) {
                throw new IOException(
                        "Ingest refused sample " + file + ": HTTP " + response.statusCode() + " " + response.body());
            }
            ids.add(id);
        }
        return ids;
    }
}
