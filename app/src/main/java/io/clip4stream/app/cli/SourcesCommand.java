package io.clip4stream.app.cli;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code clip4stream sources ...}: manages the sources of a running Clip4Stream. */
@Command(
        name = "sources",
        description = "Manage sources: 'sources delete ID' removes a source, its clips and its stored video.",
        subcommands = {SourcesCommand.Delete.class})
public final class SourcesCommand implements Runnable {
    @Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code clip4stream sources delete ID}: asks the ingest service to delete a source. */
    @Command(
            name = "delete",
            description = "Delete a source: its run stops, its clips leave the index and its stored video is removed."
                    + " 'status --all' still lists it as DELETED; its id cannot be used again.")
    public static final class Delete implements Callable<Integer> {
        @Spec
        private CommandLine.Model.CommandSpec spec;

        private final Map<String, String> environment;

        @Parameters(paramLabel = "ID", description = "The source id (as 'status' lists it).")
        private String id;

        @Option(names = "--ingest-url", description = "Ingest API (default: the running 'clip4stream run').")
        private URI ingestUrl;

        @Option(names = "--data-dir", description = "State directory of 'run' (default: that of 'run').")
        private Path dataDir;

        @Option(names = "--api-key", description = "API key for the ingest API.")
        private String apiKey;

        /** A delete command finding the running instance through {@code environment} (the state directory). */
        public Delete(Map<String, String> environment) {
            this.environment = environment;
        }

        @Override
        public Integer call() throws IOException, InterruptedException {
            URI base = ingestUrl != null
                    ? ingestUrl
                    : RunFile.read(StateDirectory.resolve(dataDir, environment)).ingest();
            HttpRequest.Builder request = HttpRequest.newBuilder(
                            base.resolve("/sources/" + URLEncoder.encode(id, StandardCharsets.UTF_8)))
                    .timeout(Duration.ofSeconds(60))
                    .DELETE();
            if (apiKey != null) {
                request.header("X-Api-Key", apiKey);
            }
            HttpResponse<String> response;
            try (HttpClient http = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(5))
                    .build()) {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            } catch (java.net.ConnectException e) {
                throw new IllegalStateException(
                        "No Clip4Stream answers at " + base + ": start one with 'bin/clip4stream run'", e);
            }
            if (response.statusCode() >= 400) {
                spec.commandLine()
                        .getErr()
                        .println("Error: " + ServerMessage.of(response.statusCode(), response.body()));
                return 1;
            }
            spec.commandLine().getOut().println("Deleted " + id + ": its clips are leaving the index.");
            return 0;
        }
    }
}
