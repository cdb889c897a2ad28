package io.clip4stream.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code clip4stream watch}, {@code watches} and {@code unwatch}: standing queries through a running query service
 * (which forwards {@code /standing-queries} to the alert service).
 */
final class WatchCommands {
    private WatchCommands() {}

    /** Where and how to reach the query service; shared by the three commands. */
    static final class Target {
        @Option(
                names = "--url",
                description = "Query service URL (default: $" + SearchCommand.URL_VARIABLE
                        + ", the running 'clip4stream run', or http://localhost:8084).")
        String url;

        @Option(names = "--api-key", description = "API key (default: $" + SearchCommand.KEY_VARIABLE + ").")
        String apiKey;

        @Option(names = "--json", description = "Print the service's JSON answer.")
        boolean json;

        String base(Map<String, String> environment) {
            String base = url != null ? url : environment.getOrDefault(SearchCommand.URL_VARIABLE, running());
            return base.replaceAll("/+$", "");
        }

        HttpResponse<String> send(Map<String, String> environment, String method, String path, String body)
                throws IOException, InterruptedException {
            String base = base(environment);
            String key = apiKey != null ? apiKey : environment.getOrDefault(SearchCommand.KEY_VARIABLE, "");
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                    .timeout(Duration.ofSeconds(60))
                    .method(
                            method,
                            body == null
                                    ? HttpRequest.BodyPublishers.noBody()
                                    : HttpRequest.BodyPublishers.ofString(body));
            if (body != null) {
                request.header("Content-Type", "application/json");
            }
            if (!key.isBlank()) {
                request.header("X-Api-Key", key);
            }
            try (HttpClient http = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(5))
                    .build()) {
                return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                throw new IOException("cannot reach the query service at " + base + " (" + e + ")", e);
            }
        }

        private static String running() {
            java.nio.file.Path data = java.nio.file.Path.of(".clip4stream");
            if (java.nio.file.Files.isRegularFile(data.resolve(RunFile.NAME))) {
                String page = RunFile.read(data).page().toString();
                return page.endsWith("/") ? page.substring(0, page.length() - 1) : page;
            }
            return "http://localhost:8084";
        }
    }

    private static int failed(CommandLine.Model.CommandSpec spec, HttpResponse<String> response) {
        PrintWriter err = spec.commandLine().getErr();
        err.println("Error: the query service answered " + response.statusCode() + ": " + response.body());
        err.flush();
        return 1;
    }

    private static String threshold(JsonNode query) {
        if (query.hasNonNull("minScore")) {
            return String.format(
                    Locale.ROOT, "score >= %.3f", query.get("minScore").asDouble());
        }
        return String.format(Locale.ROOT, "%.3g/day", query.get("alertsPerDay").asDouble());
    }

    /** {@code clip4stream watch "text"}. */
    @Command(name = "watch", description = "Create a standing query: be alerted when live sources show the text.")
    static final class Watch implements Callable<Integer> {
        private final Map<String, String> environment;

        @Spec
        private CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", description = "What to watch for, e.g. \"a person climbing the fence\".")
        private String text;

        @Option(names = "--source", description = "A source to watch (repeatable; default: every source).")
        private List<String> sources = List.of();

        @Option(names = "--tag", description = "Watch sources with this tag (repeatable).")
        private List<String> tags = List.of();

        @Option(names = "--webhook", description = "POST each alert here, signed (repeatable).")
        private List<String> webhooks = List.of();

        @Option(
                names = "--rate",
                description = "Calibrated alert rate per watched source, e.g. 1/day, 3/hour (default: 1/day).")
        private String rate;

        @Option(names = "--min-score", description = "An absolute first-stage score threshold instead of a rate.")
        private Double minScore;

        @Option(names = "--cooldown", description = "Seconds after a moment before the same source alerts again.")
        private Double cooldown;

        @Option(names = "--id", description = "The standing query's id (default: generated).")
        private String id;

        @CommandLine.Mixin
        private Target target = new Target();

        /** Creates the command reading defaults from {@code environment}. */
        public Watch(Map<String, String> environment) {
            this.environment = Map.copyOf(environment);
        }

        @Override
        public Integer call() throws IOException, InterruptedException {
            ObjectMapper json = new ObjectMapper();
            ObjectNode body = json.createObjectNode().put("text", text);
            if (id != null) {
                body.put("id", id);
            }
            sources.forEach(body.putArray("sources")::add);
            tags.forEach(body.putArray("tags")::add);
            if (rate != null) {
                body.put("rate", rate);
            }
            if (minScore != null) {
                body.put("minScore", minScore);
            }
            if (cooldown != null) {
                body.put("cooldownSeconds", cooldown);
            }
            ArrayNode hooks = body.putArray("webhooks");
            webhooks.forEach(url -> hooks.addObject().put("url", url));
            HttpResponse<String> response =
                    target.send(environment, "POST", "/standing-queries", json.writeValueAsString(body));
            if (response.statusCode() != 201) {
                return failed(spec, response);
            }
            PrintWriter out = spec.commandLine().getOut();
            if (target.json) {
                out.println(response.body());
            } else {
                JsonNode answer = json.readTree(response.body());
                JsonNode query = answer.get("standingQuery");
                out.printf(
                        Locale.ROOT,
                        "watching \"%s\" as %s (%s)%n",
                        query.get("text").asText(),
                        query.get("id").asText(),
                        threshold(query));
                for (JsonNode hook : answer.get("webhookSecrets")) {
                    out.printf(
                            "webhook %s signs with secret %s (shown once)%n",
                            hook.get("url").asText(), hook.get("secret").asText());
                }
            }
            out.flush();
            return 0;
        }
    }

    /** {@code clip4stream watches}. */
    @Command(name = "watches", description = "List the standing queries.")
    static final class Watches implements Callable<Integer> {
        private final Map<String, String> environment;

        @Spec
        private CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        private Target target = new Target();

        /** Creates the command reading defaults from {@code environment}. */
        public Watches(Map<String, String> environment) {
            this.environment = Map.copyOf(environment);
        }

        @Override
        public Integer call() throws IOException, InterruptedException {
            HttpResponse<String> response = target.send(environment, "GET", "/standing-queries", null);
            if (response.statusCode() != 200) {
                return failed(spec, response);
            }
            PrintWriter out = spec.commandLine().getOut();
            if (target.json) {
                out.println(response.body());
            } else {
                JsonNode queries = new ObjectMapper().readTree(response.body()).get("standingQueries");
                out.printf(Locale.ROOT, "%-36s  %-16s  %-20s  %s%n", "id", "threshold", "sources", "text");
                for (JsonNode query : queries) {
                    List<String> watched = new java.util.ArrayList<>();
                    query.get("sources").forEach(s -> watched.add(s.asText()));
                    out.printf(
                            Locale.ROOT,
                            "%-36s  %-16s  %-20s  %s%n",
                            query.get("id").asText(),
                            threshold(query),
                            watched.isEmpty() ? "(all)" : String.join(",", watched),
                            query.get("text").asText());
                }
            }
            out.flush();
            return 0;
        }
    }

    /** {@code clip4stream unwatch ID}. */
    @Command(name = "unwatch", description = "Delete a standing query.")
    static final class Unwatch implements Callable<Integer> {
        private final Map<String, String> environment;

        @Spec
        private CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", description = "The standing query's id.")
        private String id;

        @CommandLine.Mixin
        private Target target = new Target();

        /** Creates the command reading defaults from {@code environment}. */
        public Unwatch(Map<String, String> environment) {
            this.environment = Map.copyOf(environment);
        }

        @Override
        public Integer call() throws IOException, InterruptedException {
            HttpResponse<String> response = target.send(
                    environment, "DELETE", "/standing-queries/" + URLEncoder.encode(id, StandardCharsets.UTF_8), null);
            if (response.statusCode() != 200) {
                return failed(spec, response);
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println(target.json ? response.body() : "stopped watching " + id);
            out.flush();
            return 0;
        }
    }
}
