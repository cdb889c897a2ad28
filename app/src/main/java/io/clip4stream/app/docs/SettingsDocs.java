package io.clip4stream.app.docs;

import io.clip4stream.app.LogSettings;
import io.clip4stream.encoder.EncoderConfig;
import io.clip4stream.index.IndexConfig;
import io.clip4stream.ingest.IngestConfig;
import io.clip4stream.query.QueryConfig;
import io.clip4stream.runtime.config.TopicSettings;
import io.clip4stream.runtime.kafka.KafkaClientSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The generated settings tables of {@code docs/}: which document holds which table, and a {@code main} that rewrites
 * them ({@link #REGENERATE}, which builds the app and runs it, is the command).
 */
public final class SettingsDocs {
    /** The command that rewrites the tables from the code, run from the repository root. */
    public static final String REGENERATE = "bin/settings-docs";

    private SettingsDocs() {}

    /** Every generated table by the document (relative to the repository root) that holds it. */
    public static Map<String, List<SettingsTable>> tables() {
        Map<String, List<SettingsTable>> tables = new LinkedHashMap<>();
        tables.put(
                "docs/operations.md",
                List.of(new SettingsTable(
                        "shared",
                        "KafkaClientSettings, TopicSettings and LogSettings",
                        List.of(
                                KafkaClientSettings.BOOTSTRAP,
                                KafkaClientSettings.PROPERTIES_FILE,
                                TopicSettings.PREFIX,
                                TopicSettings.PARTITIONS,
                                TopicSettings.REPLICATION_FACTOR,
                                LogSettings.FORMAT,
                                LogSettings.LEVEL,
                                LogSettings.KAFKA_LEVEL))));
        tables.put(
                "docs/services/ingest-service.md",
                List.of(new SettingsTable("ingest", "IngestConfig.SETTINGS", IngestConfig.SETTINGS)));
        tables.put(
                "docs/services/encoder-service.md",
                List.of(new SettingsTable(
                        "encoder",
                        "EncoderConfig.SETTINGS",
                        EncoderConfig.SETTINGS,
                        Map.of(EncoderConfig.THREADS.name(), "half the cores, 1 to 4"))));
        tables.put(
                "docs/services/index-service.md",
                List.of(new SettingsTable("index", "IndexConfig.SETTINGS", IndexConfig.SETTINGS)));
        tables.put(
                "docs/services/query-service.md",
                List.of(new SettingsTable("query", "QueryConfig.SETTINGS", QueryConfig.SETTINGS)));
        tables.put(
                "docs/services/alert-service.md",
                List.of(new SettingsTable("alert", "AlertConfig.SETTINGS", io.clip4stream.alert.AlertConfig.SETTINGS)));
        return tables;
    }

    /** Returns {@code text} (the document {@code name}) with each of its tables regenerated. */
    public static String regenerate(String name, String text) {
        String result = text;
        for (SettingsTable table : tables().getOrDefault(name, List.of())) {
            result = table.spliceInto(result, name);
        }
        return result;
    }

    /**
     * Rewrites the tables in the documents under the repository root {@code args[0]} (default: the current
     * directory) and prints which documents changed.
     */
    public static void main(String[] args) {
        Path root = Path.of(args.length > 0 ? args[0] : ".");
        List<String> changed = new ArrayList<>();
        for (String name : tables().keySet()) {
            Path file = root.resolve(name);
            try {
                String before = Files.readString(file, StandardCharsets.UTF_8);
                String after = regenerate(name, before);
                if (!after.equals(before)) {
                    Files.writeString(file, after, StandardCharsets.UTF_8);
                    changed.add(name);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot regenerate the settings tables of " + file.toAbsolutePath(), e);
            }
        }
        System.out.println(
                changed.isEmpty() ? "settings tables up to date" : "regenerated: " + String.join(", ", changed));
    }
}
