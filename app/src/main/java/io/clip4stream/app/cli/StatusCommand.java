package io.clip4stream.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.runtime.config.Env;
import io.clip4stream.runtime.config.TopicSettings;
import io.clip4stream.runtime.kafka.KafkaClientSettings;
import io.clip4stream.schemas.avro.IngestState;
import io.clip4stream.schemas.avro.IngestStatus;
import io.clip4stream.schemas.topic.Topic;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code clip4stream status}: the latest status of every source, read from the compacted ingest-status topic. */
@Command(name = "status", description = "Print the latest ingest status of every source (from Kafka).")
public final class StatusCommand implements Callable<Integer> {
    @Spec
    private CommandLine.Model.CommandSpec spec;

    private final Map<String, String> environment;

    @Option(names = "--bootstrap", description = "Kafka bootstrap servers (default: the running 'clip4stream run').")
    private String bootstrap;

    @Option(names = "--data-dir", description = "State directory of 'run' (default: that of 'run').")
    private Path dataDir;

    @Option(names = "--all", description = "Also list deleted sources.")
    private boolean all;

    @Option(names = "--json", description = "Print one JSON object.")
    private boolean json;

    /** A status command reading Kafka settings from {@code environment}. */
    public StatusCommand(Map<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws Exception {
        Env env = new Env(environment);
        KafkaClientSettings kafka = RunFile.kafka(environment, bootstrap, dataDir);
        Topic<String, IngestStatus> topic = TopicSettings.fromEnv(env).topics().ingestStatus();
        Map<String, IngestStatus> latest = new TreeMap<>();
        try (KafkaConsumer<String, IngestStatus> consumer = new KafkaConsumer<>(
                kafka.consumer("clip4stream-status", "clip4stream-status-" + UUID.randomUUID()),
                topic.keySerde().deserializer(),
                topic.valueSerde().deserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic.name(), Duration.ofSeconds(15))
                    .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))
                    && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (r.value() == null) {
                        latest.remove(r.key());
                    } else {
                        latest.put(r.key(), r.value());
                    }
                });
            }
        }
        if (!all) {
            latest.values().removeIf(s -> s.getState() == IngestState.DELETED);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> root = new LinkedHashMap<>();
            latest.forEach((id, s) -> root.put(
                    id,
                    Map.of(
                            "state", s.getState().name(),
                            "progressPercent", s.getProgressPercent() == null ? -1 : s.getProgressPercent(),
                            "framesSampled", s.getFramesSampled(),
                            "clipsEmitted", s.getClipsEmitted(),
                            "reason", s.getReason() == null ? "" : s.getReason())));
            out.println(new ObjectMapper().writeValueAsString(root));
        } else if (latest.isEmpty()) {
            out.println("No sources yet.");
        } else {
            TextTable table = new TextTable(
                    List.of("source", "state", "kind", "progress", "frames", "clips", "updated / reason"),
                    Set.of(3, 4, 5));
            latest.forEach((id, s) -> table.row(
                    id,
                    s.getState(),
                    s.getKind(),
                    s.getProgressPercent() == null ? "-" : String.format(Locale.ROOT, "%.1f%%", s.getProgressPercent()),
                    s.getFramesSampled(),
                    s.getClipsEmitted(),
                    s.getReason() != null ? s.getReason() : Instant.ofEpochMilli(s.getUpdatedAtMillis())));
            table.print(out);
        }
        if (!json) {
            printModelChange(out);
        }
        out.flush();
        return 0;
    }

    /**
     * Prints the model versions and how far every shard has built each, when a model change has happened (a
     * deployed, ready or retired version): the progress of a rebuild is part of a deployment's status.
     */
    private void printModelChange(PrintWriter out) {
        ModelChangeCommands.Target target = new ModelChangeCommands.Target();
        target.dataDir = dataDir;
        com.fasterxml.jackson.databind.JsonNode report;
        try {
            report = target.models(environment);
        } catch (java.io.IOException | RuntimeException e) {
            // No query service to ask (status also reads a cluster with only --bootstrap): the sources are the status.
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        boolean changing = false;
        for (com.fasterxml.jackson.databind.JsonNode version : report.path("versions")) {
            changing |= !version.path("status").asText("served").equals("served");
        }
        if (changing) {
            out.println();
            out.println("Model versions (searches use " + report.path("active").asText() + "):");
            ModelChangeCommands.printVersions(report, out);
        }
    }
}
