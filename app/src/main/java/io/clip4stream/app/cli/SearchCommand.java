package io.clip4stream.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code clip4stream search "<text>"}, {@code search --image photo.jpg}, {@code search --similar CLIP_ID} (or text
 * with an example): asks a running query service and prints the hits as a table or JSON.
 */
@Command(
        name = "search",
        description = "Search indexed clips by text, by an example image (--image) or by a clip (--similar) through a"
                + " running query service.")
public final class SearchCommand implements Callable<Integer> {
    /** Environment variable naming the query service when {@code --url} is not given. */
    public static final String URL_VARIABLE = "CLIP4S_QUERY_URL";

    /** Environment variable holding the API key when {@code --api-key} is not given. */
    public static final String KEY_VARIABLE = "CLIP4S_QUERY_API_KEY";

    private final Map<String, String> environment;

    @Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(
            index = "0",
            arity = "0..1",
            description = "The query text, e.g. \"a man riding a red bike\" (optional with --image or --similar).")
    private String text;

    @Option(names = "--image", description = "Find clips that look like this image (JPEG or PNG).")
    private java.nio.file.Path image;

    @Option(names = "--similar", description = "Find clips like this clip id (the clip itself is left out).")
    private String similar;

    @Option(names = "--exclude-source", description = "With --similar: leave out the clip's whole source.")
    private boolean excludeSource;

    @Option(
            names = "--weight",
            description = "With text and an example: the text's share in [0, 1] (1: text only, 0: example only;"
                    + " default 0.5).")
    private Double weight;

    @Option(names = "--k", description = "Hits to return (default: 10).", defaultValue = "10")
    private int k;

    @Option(names = "--json", description = "Print the service's JSON answer.")
    private boolean json;

    @Option(
            names = "--url",
            description = "Query service URL (default: $" + URL_VARIABLE + ", the running 'clip4stream run', or"
                    + " http://localhost:8084).")
    private String url;

    @Option(names = "--data-dir", description = "State directory of 'run' (default: that of 'run').")
    private java.nio.file.Path dataDir;

    @Option(names = "--api-key", description = "API key (default: $" + KEY_VARIABLE + ").")
    private String apiKey;

    /** Creates the command reading defaults from {@code environment}. */
    public SearchCommand(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        String base = url != null ? url : environment.getOrDefault(URL_VARIABLE, runningOrDefault());
        String key = apiKey != null ? apiKey : environment.getOrDefault(KEY_VARIABLE, "");
        HttpRequest.Builder request = request(base.replaceAll("/+$", ""));
        if (request == null) {
            return 2;
        }
        request.timeout(Duration.ofSeconds(60));
        if (!key.isBlank()) {
            request.header("X-Api-Key", key);
        }
        try (HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            HttpResponse<String> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                throw new IOException("cannot reach the query service at " + base + " (" + e + ")", e);
            }
            return print(response, new PlaybackLinks(http, base.replaceAll("/+$", ""), key));
        }
    }

    private int print(HttpResponse<String> response, PlaybackLinks links) throws IOException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (response.statusCode() != 200) {
            err.println("Error: " + ServerMessage.of(response.statusCode(), response.body()));
            err.flush();
            return 1;
        }
        if (json) {
            out.println(response.body());
            out.flush();
            return 0;
        }
        JsonNode result = new ObjectMapper().readTree(response.body());
        String example =
                result.path("example").isTextual() ? result.get("example").asText() : null;
        String what = example == null
                ? "\"" + result.get("query").asText() + "\""
                : result.get("query").asText().isEmpty()
                        ? example
                        : "\"" + result.get("query").asText() + "\" with " + example + " (weight "
                                + result.get("weight").asDouble() + ")";
        out.printf(
                Locale.ROOT,
                "%d hits for %s (%s, model %s %s)%n",
                result.get("hits").size(),
                what,
                result.get("reranked").asBoolean()
                        ? "tight re-rank"
                        : "first-stage order: " + result.get("rerankNote").asText(),
                result.get("modelId").asText(),
                result.get("modelVersion").asText());
        if (result.get("partial").asBoolean()) {
            out.println("PARTIAL: not every shard answered; some clips may be missing");
        }
        if (result.path("note").isTextual()) {
            out.println("Note: " + result.get("note").asText());
        }
        TextTable table =
                new TextTable(List.of("rank", "score", "1st", "source", "clip", "time", "play"), Set.of(0, 1, 2, 4));
        boolean unplayable = false;
        boolean live = false;
        for (JsonNode hit : result.get("hits")) {
            boolean provisional = hit.path("provisional").asBoolean(false);
            live |= provisional;
            java.util.Optional<String> play = links.at(
                    hit.get("sourceId").asText(),
                    hit.get("startMicros").asLong(),
                    hit.get("endMicros").asLong());
            unplayable |= play.isEmpty();
            table.row(
                    hit.get("rank").asInt(),
                    String.format(Locale.ROOT, "%.4f", hit.get("score").asDouble()),
                    String.format(
                            Locale.ROOT, "%.4f", hit.get("firstStageScore").asDouble()),
                    hit.get("sourceId").asText(),
                    hit.get("clipIndex").asLong(),
                    clock(hit.get("startMicros").asLong()) + "-"
                            + clock(hit.get("endMicros").asLong())
                            + (provisional ? " live" : ""),
                    play.orElse("-"));
        }
        table.print(out);
        if (live) {
            out.println("live: the clip of a live source is still growing; its closed clip will replace it.");
        }
        if (unplayable) {
            out.println("play: '-' where the source keeps no video (live streams and URLs are not stored).");
        }
        out.flush();
        return 0;
    }

    /** The request for the given text and example, or null (after a message) when they do not go together. */
    private HttpRequest.Builder request(String base) throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        boolean hasText = text != null && !text.isBlank();
        String refusal = null;
        if (image != null && similar != null) {
            refusal = "give --image or --similar, not both";
        } else if (!hasText && image == null && similar == null) {
            refusal = "give the query text, --image FILE or --similar CLIP_ID";
        } else if (weight != null && (!hasText || image == null && similar == null)) {
            refusal = "--weight needs both text and an example (--image or --similar)";
        }
        if (refusal != null) {
            err.println("Error: " + refusal);
            err.flush();
            return null;
        }
        byte[] imageBytes = null;
        if (image != null) {
            try {
                imageBytes = java.nio.file.Files.readAllBytes(image);
            } catch (IOException e) {
                throw new IOException("cannot read the image " + image + " (" + e + ")", e);
            }
        }
        if (hasText && (imageBytes != null || similar != null)) {
            Map<String, Object> body = new java.util.LinkedHashMap<>();
            body.put("text", text);
            body.put("k", k);
            if (imageBytes != null) {
                body.put("image", java.util.Base64.getEncoder().encodeToString(imageBytes));
            } else {
                body.put("clip", similar);
                body.put("excludeSource", excludeSource);
            }
            if (weight != null) {
                body.put("weight", weight);
            }
            return HttpRequest.newBuilder(URI.create(base + "/search"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(new ObjectMapper().writeValueAsBytes(body)));
        }
        if (imageBytes != null) {
            String name = image.getFileName().toString().toLowerCase(Locale.ROOT);
            String type = name.endsWith(".png") ? "image/png" : name.endsWith(".webp") ? "image/webp" : "image/jpeg";
            return HttpRequest.newBuilder(URI.create(base + "/search/image?k=" + k))
                    .header("Content-Type", type)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(imageBytes));
        }
        if (similar != null) {
            return HttpRequest.newBuilder(URI.create(base + "/search/similar?k=" + k + "&clip="
                    + URLEncoder.encode(similar, StandardCharsets.UTF_8)
                    + (excludeSource ? "&excludeSource=true" : "")));
        }
        return HttpRequest.newBuilder(
                URI.create(base + "/search?k=" + k + "&q=" + URLEncoder.encode(text, StandardCharsets.UTF_8)));
    }

    private static String clock(long micros) {
        long tenths = micros / 100_000;
        return String.format(Locale.ROOT, "%d:%02d.%d", tenths / 600, (tenths / 10) % 60, tenths % 10);
    }

    /** The page of a running {@code clip4stream run} (its state directory), else the service's default port. */
    private String runningOrDefault() {
        return runningOrDefault(dataDir, environment);
    }

    /** The page of the {@code run} whose state directory is {@code dataDir} (or the default), else the default port. */
    static String runningOrDefault(java.nio.file.Path dataDir, Map<String, String> environment) {
        java.nio.file.Path data = StateDirectory.resolve(dataDir, environment);
        if (java.nio.file.Files.isRegularFile(data.resolve(RunFile.NAME))) {
            String page = RunFile.read(data).page().toString();
            return page.endsWith("/") ? page.substring(0, page.length() - 1) : page;
        }
        return "http://localhost:8084";
    }
}
