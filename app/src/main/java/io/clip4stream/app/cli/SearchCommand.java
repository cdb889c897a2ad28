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

/** {@code clip4stream search "<text>"}: asks a running query service and prints the hits as a table or JSON. */
@Command(name = "search", description = "Search indexed clips by text through a running query service.")
public final class SearchCommand implements Callable<Integer> {
    /** Environment variable naming the query service when {@code --url} is not given. */
    public static final String URL_VARIABLE = "CLIP4S_QUERY_URL";

    /** Environment variable holding the API key when {@code --api-key} is not given. */
    public static final String KEY_VARIABLE = "CLIP4S_QUERY_API_KEY";

    private final Map<String, String> environment;

    @Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", description = "The query text, e.g. \"a man riding a red bike\".")
    private String text;

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
        URI uri = URI.create(base.replaceAll("/+$", "") + "/search?k=" + k + "&q="
                + URLEncoder.encode(text, StandardCharsets.UTF_8));
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60));
        if (!key.isBlank()) {
            request.header("X-Api-Key", key);
        }
        HttpResponse<String> response;
        try (HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IOException("cannot reach the query service at " + base + " (" + e + ")", e);
        }
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
        out.printf(
                Locale.ROOT,
                "%d hits for \"%s\" (%s, model %s %s)%n",
                result.get("hits").size(),
                result.get("query").asText(),
                result.get("reranked").asBoolean()
                        ? "tight re-rank"
                        : "first-stage order: " + result.get("rerankNote").asText(),
                result.get("modelId").asText(),
                result.get("modelVersion").asText());
        if (result.get("partial").asBoolean()) {
            out.println("PARTIAL: not every shard answered; some clips may be missing");
        }
        TextTable table = new TextTable(
                List.of("rank", "score", "1st", "source", "clip", "time", "thumbnail"), Set.of(0, 1, 2, 4));
        for (JsonNode hit : result.get("hits")) {
            table.row(
                    hit.get("rank").asInt(),
                    String.format(Locale.ROOT, "%.4f", hit.get("score").asDouble()),
                    String.format(
                            Locale.ROOT, "%.4f", hit.get("firstStageScore").asDouble()),
                    hit.get("sourceId").asText(),
                    hit.get("clipIndex").asLong(),
                    clock(hit.get("startMicros").asLong()) + "-"
                            + clock(hit.get("endMicros").asLong()),
                    hit.get("thumbnailUrl").isNull()
                            ? "-"
                            : base + hit.get("thumbnailUrl").asText());
        }
        table.print(out);
        out.flush();
        return 0;
    }

    private static String clock(long micros) {
        long tenths = micros / 100_000;
        return String.format(Locale.ROOT, "%d:%02d.%d", tenths / 600, (tenths / 10) % 60, tenths % 10);
    }

    /** The page of a running {@code clip4stream run} (its state directory), else the service's default port. */
    private String runningOrDefault() {
        java.nio.file.Path data = StateDirectory.resolve(dataDir, environment);
        if (java.nio.file.Files.isRegularFile(data.resolve(RunFile.NAME))) {
            String page = RunFile.read(data).page().toString();
            return page.endsWith("/") ? page.substring(0, page.length() - 1) : page;
        }
        return "http://localhost:8084";
    }
}
