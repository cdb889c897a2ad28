package io.clip4stream.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.runtime.config.Env;
import io.clip4stream.runtime.kafka.KafkaClientSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where a running {@code clip4stream run} answers, written to {@code <data-dir>/run.json} so that {@code ingest},
 * {@code status} and {@code search} find it without flags.
 *
 * @param page the page and search API
 * @param ingest the ingest API
 * @param bootstrapServers the embedded broker
 */
public record RunFile(URI page, URI ingest, String bootstrapServers) {
    /** File name inside the data directory. */
    public static final String NAME = "run.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Writes this file into {@code dataDir}. */
    public void write(Path dataDir) {
        try {
            Files.createDirectories(dataDir);
            Files.write(
                    dataDir.resolve(NAME),
                    JSON.writeValueAsBytes(Map.of(
                            "page",
                            page.toString(),
                            "ingest",
                            ingest.toString(),
                            "bootstrapServers",
                            bootstrapServers)));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + dataDir.resolve(NAME), e);
        }
    }

    /** Reads the file of a run in {@code dataDir}, or explains that nothing runs there. */
    public static RunFile read(Path dataDir) {
        Path file = dataDir.resolve(NAME);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("No running Clip4Stream found (" + file + " is missing): start one with"
                    + " 'bin/clip4stream run', or pass the service URLs");
        }
        try {
            var node = JSON.readTree(file.toFile());
            return new RunFile(
                    URI.create(node.get("page").asText()),
                    URI.create(node.get("ingest").asText()),
                    node.get("bootstrapServers").asText());
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Deletes the file of a stopped run. */
    public static void delete(Path dataDir) {
        try {
            Files.deleteIfExists(dataDir.resolve(NAME));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The Kafka settings of a command: {@code bootstrap} when given, else {@code CLIP4S_KAFKA_BOOTSTRAP_SERVERS} from
     * {@code environment}, else the broker of the running {@code run} whose state directory is {@code dataDir} (or the
     * default); the other client settings (SASL, SSL) always come from the environment.
     */
    public static KafkaClientSettings kafka(Map<String, String> environment, String bootstrap, Path dataDir) {
        KafkaClientSettings kafka = KafkaClientSettings.fromEnv(new Env(environment));
        if (bootstrap != null) {
            return new KafkaClientSettings(bootstrap, kafka.clientProperties());
        }
        if (!environment.containsKey(KafkaClientSettings.BOOTSTRAP.name())) {
            return new KafkaClientSettings(
                    read(StateDirectory.resolve(dataDir, environment)).bootstrapServers(), kafka.clientProperties());
        }
        return kafka;
    }
}
