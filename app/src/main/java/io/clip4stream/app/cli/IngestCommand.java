package io.clip4stream.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code clip4stream ingest <file|url|stream>}: submits a source and shows progress until it is searchable. */
@Command(
        name = "ingest",
        description = "Ingest a local file (uploaded), a URL or a live stream into a running Clip4Stream and show"
                + " progress until its clips are searchable (a live stream: until its first clips are).")
public final class IngestCommand implements Callable<Integer> {
    /** Exit status of a request refused before anything was sent (missing or unreadable file). */
    static final int REFUSED = 2;

    @Spec
    private CommandLine.Model.CommandSpec spec;

    private final Map<String, String> environment;

    @Parameters(paramLabel = "SOURCE", description = "A video file, an http(s) URL, or a stream URL (rtsp, srt, ...).")
    private String source;

    @Option(names = "--id", description = "Source id (default: derived from the file or URL name).")
    private String id;

    @Option(names = "--ingest-url", description = "Ingest API (default: the running 'clip4stream run').")
    private URI ingestUrl;

    @Option(names = "--query-url", description = "Query API (default: the running 'clip4stream run').")
    private URI queryUrl;

    @Option(names = "--data-dir", description = "State directory of 'run' (default: that of 'run').")
    private Path dataDir;

    @Option(names = "--api-key", description = "API key for the ingest and query APIs.")
    private String apiKey;

    @Option(names = "--timeout", defaultValue = "600", description = "Seconds to wait (default: 600).")
    private long timeoutSeconds;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();

    /** An ingest command finding the running instance through {@code environment} (the state directory). */
    public IngestCommand(Map<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path file = Path.of(source);
        boolean upload = !source.contains("://");
        // A local path is checked here first: the server could only say it is outside its root.
        if (upload && !Files.exists(file)) {
            err.println("Error: no such file: " + source);
            err.flush();
            return REFUSED;
        }
        if (upload && !Files.isRegularFile(file)) {
            err.println("Error: not a regular file: " + source + " (give a video file, or a URL)");
            err.flush();
            return REFUSED;
        }
        if (ingestUrl == null || queryUrl == null) {
            RunFile run = RunFile.read(StateDirectory.resolve(dataDir, environment));
            ingestUrl = ingestUrl == null ? run.ingest() : ingestUrl;
            queryUrl = queryUrl == null ? run.page() : queryUrl;
        }
        String sourceId = id != null ? id : defaultId(source);
        JsonNode accepted = upload ? upload(file, sourceId) : register(sourceId);
        boolean live = "LIVE".equals(accepted.path("kind").asText());
        out.println("Accepted " + sourceId + " (" + accepted.path("kind").asText() + ")");
        long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
        JsonNode status = null;
        while (System.nanoTime() < deadline) {
            status = get(ingestUrl.resolve("/sources/" + encode(sourceId)));
            String state = status.path("state").asText();
            double percent = status.path("progressPercent").asDouble(0);
            long clips = status.path("clipsEmitted").asLong();
            out.printf(
                    Locale.ROOT,
                    "\r%-9s %s %5.1f%%  %d frames  %d clips   ",
                    state,
                    bar(percent),
                    percent,
                    status.path("framesSampled").asLong(),
                    clips);
            out.flush();
            if (state.equals("FAILED")) {
                out.println();
                err.println("Failed: " + status.path("reason").asText());
                return 1;
            }
            if ((state.equals("DONE") || (live && clips > 0)) && searchableClips(sourceId) >= Math.max(1, clips)) {
                out.println();
                String warning = status.path("reason").asText("");
                if (!warning.isBlank() && !status.path("reason").isNull()) {
                    // A truncated file: its clips are searchable, but not the whole video.
                    err.println("Warning: " + warning);
                }
                out.println("Searchable: " + clips + " clip(s) of " + sourceId + ". Try: bin/clip4stream search"
                        + " \"...\"");
                return 0;
            }
            Thread.sleep(500);
        }
        out.println();
        err.println("Timed out after " + timeoutSeconds + " s; last state: "
                + (status == null ? "none" : status.path("state").asText()));
        return 1;
    }

    private JsonNode register(String sourceId) throws Exception {
        String body = json.writeValueAsString(Map.of("sourceId", sourceId, "uri", source));
        return send(HttpRequest.newBuilder(ingestUrl.resolve("/sources"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private JsonNode upload(Path file, String sourceId) throws Exception {
        return send(HttpRequest.newBuilder(ingestUrl.resolve("/sources/upload?sourceId=" + encode(sourceId)))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofFile(file)));
    }

    private long searchableClips(String sourceId) throws Exception {
        JsonNode answer = get(queryUrl.resolve("/search?rerank=false&k=100&q=video&sources=" + encode(sourceId)));
        return answer.path("hits").size();
    }

    private JsonNode get(URI uri) throws Exception {
        return send(HttpRequest.newBuilder(uri).GET());
    }

    private JsonNode send(HttpRequest.Builder request) throws Exception {
        if (apiKey != null) {
            request.header("X-Api-Key", apiKey);
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.net.ConnectException e) {
            throw new IllegalStateException(
                    "No Clip4Stream answers at " + ingestUrl + ": start one with 'bin/clip4stream run'", e);
        }
        if (response.statusCode() >= 400) {
            throw new IllegalStateException(ServerMessage.of(response.statusCode(), response.body()));
        }
        return json.readTree(response.body());
    }

    private static String bar(double percent) {
        int filled = (int) Math.round(Math.max(0, Math.min(100, percent)) / 5);
        return "[" + "#".repeat(filled) + " ".repeat(20 - filled) + "]";
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    static String defaultId(String source) {
        String name = source.replaceFirst("[?#].*$", "").replaceFirst("/+$", "");
        name = name.substring(name.lastIndexOf('/') + 1).replaceFirst("\\.[A-Za-z0-9]{1,5}$", "");
        name = name.replaceAll("[^A-Za-z0-9._-]", "-");
        return name.isEmpty() ? "source-" + Long.toHexString(System.nanoTime()) : name;
    }
}
