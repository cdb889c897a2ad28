package io.clip4stream.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.ingest.decode.SyntheticVideo;
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
 * Synthetic sample videos that a first run ingests, so the page shows results at once.
 *
 * <p>Each is a few dozen seconds of moving squares on changing colours: enough for several 12-second clips.
 */
public final class SampleVideos {
    /** Seconds of each sample video. */
    public static final int SECONDS = 36;

    private static final int FPS = 10;
    private static final List<String> NAMES = List.of("sample-a", "sample-b", "sample-c");

    private SampleVideos() {}

    /** Writes the sample videos under {@code mediaDir/samples} (once) and returns their paths. */
    public static List<Path> write(Path mediaDir) throws IOException {
        Path dir = mediaDir.resolve("samples");
        Files.createDirectories(dir);
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < NAMES.size(); i++) {
            Path file = dir.resolve(NAMES.get(i) + ".mp4");
            if (!Files.exists(file)) {
                Path partial = dir.resolve(NAMES.get(i) + ".mp4.partial.mp4");
                SyntheticVideo.h264Mp4(320 + 32 * i, 240, FPS, (SECONDS + 6 * i) * FPS)
                        .withFaststart(true)
                        .writeTo(partial);
                Files.move(partial, file);
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
