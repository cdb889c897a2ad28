package io.clip4stream.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code clip4stream caption SOURCE START END "text"} and {@code caption --import FILE.jsonl}: training captions. */
@Command(
        name = "caption",
        description = "Attach a caption to a time range of an indexed source (POST /captions of the query service),"
                + " or import many from a JSON Lines file of {\"source\", \"start\", \"end\", \"text\"} (times in"
                + " seconds, as search prints them; all lines are stored or none). `train --from-cluster` trains on"
                + " them.")
public final class CaptionCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    private CommandLine.Model.CommandSpec spec;

    @Parameters(
            arity = "0..4",
            paramLabel = "SOURCE START END TEXT",
            description = "The source id, the range's start and end (seconds, or m:ss.s), and the caption.")
    private java.util.List<String> positionals = new java.util.ArrayList<>();

    @Option(names = "--import", paramLabel = "FILE", description = "JSON Lines file of captions to store.")
    private Path importFile;

    @Option(names = "--id", description = "The caption's id (default: derived from source, range and text).")
    private String id;

    @Option(names = "--json", description = "Print the service's JSON answer.")
    private boolean json;

    @Option(
            names = "--url",
            description = "Query service URL (default: $" + SearchCommand.URL_VARIABLE + ", the running"
                    + " 'clip4stream run', or http://localhost:8084).")
    private String url;

    @Option(names = "--data-dir", description = "State directory of 'run' (default: that of 'run').")
    private Path dataDir;

    @Option(names = "--api-key", description = "API key (default: $" + SearchCommand.KEY_VARIABLE + ").")
    private String apiKey;

    private final Map<String, String> environment;

    /** Creates the command reading defaults from {@code environment}. */
    public CaptionCommand(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        byte[] body;
        if (importFile != null) {
            if (!positionals.isEmpty()) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "give either --import FILE or SOURCE START END TEXT");
            }
            body = Files.readAllBytes(importFile);
        } else {
            if (positionals.size() != 4) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "expected SOURCE START END \"text\" (or --import FILE.jsonl)");
            }
            Map<String, Object> caption = new LinkedHashMap<>();
            caption.put("source", positionals.get(0));
            caption.put("start", seconds(positionals.get(1)));
            caption.put("end", seconds(positionals.get(2)));
            caption.put("text", positionals.get(3));
            if (id != null) {
                caption.put("id", id);
            }
            body = JSON.writeValueAsBytes(caption);
        }
        String base = (url != null
                        ? url
                        : environment.getOrDefault(
                                SearchCommand.URL_VARIABLE, SearchCommand.runningOrDefault(dataDir, environment)))
                .replaceAll("/+$", "");
        String key = apiKey != null ? apiKey : environment.getOrDefault(SearchCommand.KEY_VARIABLE, "");
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/captions"))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", importFile != null ? "application/x-ndjson" : "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (!key.isBlank()) {
            request.header("X-Api-Key", key);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            HttpResponse<String> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                throw new IOException("cannot reach the query service at " + base + " (" + e + ")", e);
            }
            if (response.statusCode() / 100 != 2) {
                err.println("Error: " + ServerMessage.of(response.statusCode(), response.body()));
                err.flush();
                return 1;
            }
            if (json) {
                out.println(response.body());
            } else {
                JsonNode answer = JSON.readTree(response.body());
                for (JsonNode caption : answer.path("captions")) {
                    out.printf(
                            Locale.ROOT,
                            "stored %s  %s %.1f-%.1f s  %s%n",
                            caption.path("id").asText(),
                            caption.path("source").asText(),
                            caption.path("start").asDouble(),
                            caption.path("end").asDouble(),
                            caption.path("text").asText());
                }
            }
            out.flush();
            return 0;
        }
    }

    /** Reads seconds ("12.5") or a clock ("1:02.5", as search prints times). */
    static double seconds(String text) {
        String value = text.strip();
        try {
            if (value.contains(":")) {
                String[] parts = value.split(":", -1);
                double total = 0;
                for (String part : parts) {
                    total = total * 60 + Double.parseDouble(part);
                }
                return total;
            }
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a time (seconds, or m:ss.s)", e);
        }
    }
}
