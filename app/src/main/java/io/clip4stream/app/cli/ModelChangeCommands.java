package io.clip4stream.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.index.IndexService;
import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.ModelOptions;
import io.clip4stream.runtime.config.Env;
import io.clip4stream.runtime.config.TopicSettings;
import io.clip4stream.runtime.kafka.ModelCatalog;
import io.clip4stream.runtime.kafka.ModelFit;
import io.clip4stream.runtime.kafka.ModelStatus;
import io.clip4stream.runtime.kafka.ModelVersionLog;
import io.clip4stream.runtime.kafka.ServedModel;
import io.clip4stream.schemas.avro.ModelVersion;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code model deploy | activate | retire | versions}: changing the deployment's model with no downtime, through the
 * compacted {@code models} topic that every index and query instance follows.
 */
final class ModelChangeCommands {
    /** Who the model-change records say wrote them. */
    static final String WRITER = "clip4stream-model-change";

    private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration POLL = Duration.ofSeconds(1);
    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelChangeCommands() {}

    /** Where the deployment is: its Kafka cluster (the models topic) and a query service (progress, activation). */
    static final class Target {
        @Option(
                names = "--bootstrap",
                description = "Kafka bootstrap servers (default: CLIP4S_KAFKA_BOOTSTRAP, else the running 'clip4stream"
                        + " run').")
        String bootstrap;

        @Option(names = "--data-dir", description = "State directory of 'run' (default: that of 'run').")
        Path dataDir;

        @Option(
                names = "--url",
                description = "Query service URL (default: $" + SearchCommand.URL_VARIABLE + ", the running"
                        + " 'clip4stream run', or http://localhost:8084).")
        String url;

        @Option(
                names = "--api-key",
                description = "Query service API key (default: $" + SearchCommand.KEY_VARIABLE + ").")
        String apiKey;

        ModelVersionLog log(Map<String, String> environment) {
            return new ModelVersionLog(
                    RunFile.kafka(environment, bootstrap, dataDir),
                    TopicSettings.fromEnv(new Env(environment)).topics().models(),
                    KAFKA_TIMEOUT,
                    Clock.systemUTC());
        }

        /** The query service's {@code GET /v1/models} report. */
        JsonNode models(Map<String, String> environment) throws IOException, InterruptedException {
            return get(environment, "/v1/models");
        }

        /** The ingest service's sources ({@code GET /sources}), through the query service's ingest proxy. */
        JsonNode sources(Map<String, String> environment) throws IOException, InterruptedException {
            return get(environment, "/ingest/sources");
        }

        private JsonNode get(Map<String, String> environment, String path) throws IOException, InterruptedException {
            String base = url != null
                    ? url
                    : environment.getOrDefault(
                            SearchCommand.URL_VARIABLE, SearchCommand.runningOrDefault(dataDir, environment));
            String key = apiKey != null ? apiKey : environment.getOrDefault(SearchCommand.KEY_VARIABLE, "");
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base.replaceAll("/+$", "") + path))
                    .timeout(Duration.ofSeconds(30))
                    .GET();
            if (!key.isBlank()) {
                request.header("X-Api-Key", key);
            }
            try (HttpClient http = HttpClient.newHttpClient()) {
                HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200) {
                    throw new IOException(base + path + " answered " + response.statusCode() + ": " + response.body());
                }
                return JSON.readTree(response.body());
            }
        }
    }

    /** {@code model deploy DIR|NAME}: publishes a new model version; index instances build its vectors. */
    @Command(
            name = "deploy",
            description = "Publish a model version: every index instance re-aggregates its clips into it in the"
                    + " background while searches keep using the active version. A version of another CLIP visual"
                    + " encoder is built from the kept videos (uploads), decoded and encoded again.")
    static final class Deploy implements Callable<Integer> {
        @Spec
        private CommandLine.Model.CommandSpec spec;

        @Mixin
        private Target target;

        @Parameters(paramLabel = "MODEL", description = "A model directory, or a model name (pulled on first use).")
        private String model;

        @Option(
                names = "--activate-when-ready",
                description = "Wait until every shard has built the version, then activate it.")
        private boolean activateWhenReady;

        @Option(
                names = "--wait-seconds",
                defaultValue = "3600",
                description = "With --activate-when-ready: give up after this long (default: 3600).")
        private long waitSeconds;

        private final Map<String, String> environment;

        Deploy(Map<String, String> environment) {
            this.environment = Map.copyOf(environment);
        }

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Path dir = NamedModels.directory(model, environment, false, err).toAbsolutePath();
            ServedModel served;
            try (Clip4ClipModel loaded = Clip4ClipModel.load(dir, ModelOptions.defaults())) {
                served = IndexService.servedModel(loaded);
            }
            ModelVersionLog log = target.log(environment);
            ModelCatalog catalog = log.readCatalog();
            String version = served.modelVersion();
            Optional<String> refusal = refusal(catalog, served);
            Optional<KeptMedia> reencode = Optional.empty();
            if (refusal.isEmpty() && otherVisualEncoder(catalog, served)) {
                refusal = otherPreparation(catalog, served);
            }
            if (refusal.isEmpty() && otherVisualEncoder(catalog, served)) {
                // Its clips need frames again: only kept media (uploads) can give them.
                KeptMedia kept;
                try {
                    kept = KeptMedia.of(target.sources(environment));
                } catch (IOException e) {
                    kept = new KeptMedia(
                            0,
                            0,
                            "the ingest service could not be asked which videos it keeps (" + e.getMessage() + ")");
                }
                if (kept.kept() == 0) {
                    refusal = Optional.of(otherEncoderRefusal(catalog, served, kept));
                } else {
                    reencode = Optional.of(kept);
                }
            }
            if (refusal.isPresent()) {
                err.println("Not deployed: " + refusal.get());
                err.flush();
                return 1;
            }
            ModelVersion record = ModelVersion.newBuilder(served.toRecord(WRITER, System.currentTimeMillis()))
                    .setStatus(ModelStatus.DEPLOYED.wireName())
                    .setWeightsLocation(dir.toString())
                    .build();
            log.publish(WRITER, record);
            if (reencode.isPresent()) {
                out.println("Deployed model version " + version + " (" + dir + "), whose CLIP visual encoder differs"
                        + " from the current one: the ingest service decodes the "
                        + reencode.get().kept()
                        + " kept video(s) again and the encoder encodes them with it; searches keep using the active"
                        + " version.");
                if (reencode.get().notKept() > 0) {
                    out.println("The other " + reencode.get().notKept() + " source(s) (live streams, URLs) have no"
                            + " kept media: their clips stay under the current version, and after the switch they"
                            + " continue with " + version + ".");
                }
            } else {
                out.println("Deployed model version " + version + " (" + dir + "): every index instance now builds it"
                        + " from the frame embeddings it keeps; searches keep using the active version.");
            }
            out.println("Progress: bin/clip4stream model versions; switch: bin/clip4stream model activate " + version);
            out.flush();
            if (!activateWhenReady) {
                return 0;
            }
            if (!waitUntilReady(target, environment, version, Duration.ofSeconds(waitSeconds), out)) {
                err.println("Model version " + version + " was not built on every shard within " + waitSeconds
                        + " s; it stays deployed: activate it later with 'bin/clip4stream model activate " + version
                        + "'.");
                err.flush();
                return 1;
            }
            return activate(log, target, environment, version, out, err);
        }

        /** Why {@code served} cannot be deployed over {@code catalog}; empty when it can. */
        static Optional<String> refusal(ModelCatalog catalog, ServedModel served) {
            Optional<String> mismatch = new ModelFit(catalog.models()).mismatch(served);
            if (mismatch.isPresent()) {
                return mismatch;
            }
            String version = served.modelVersion();
            if (catalog.status(version).orElse(null) == ModelStatus.ACTIVE) {
                return Optional.of("model version " + version + " is already active");
            }
            Optional<ServedModel> current = currentModel(catalog);
            if (current.isPresent() && !current.get().modelVersion().equals(version)) {
                Optional<Boolean> same = served.sameVisualEncoderAs(current.get());
                if (same.isEmpty()) {
                    return Optional.of("whether model version " + version + " shares the CLIP visual encoder of the"
                            + " current version " + current.get().modelVersion() + " is unknown (no fingerprint"
                            + " recorded), so the stored frame embeddings cannot be trusted for it");
                }
            }
            return Optional.empty();
        }

        /** Whether {@code served}'s CLIP visual encoder is known to differ from the current version's. */
        static boolean otherVisualEncoder(ModelCatalog catalog, ServedModel served) {
            return currentModel(catalog)
                    .filter(current -> !current.modelVersion().equals(served.modelVersion()))
                    .flatMap(served::sameVisualEncoderAs)
                    .map(same -> !same)
                    .orElse(false);
        }

        /**
         * Why a version of another visual encoder whose frames are prepared otherwise (resize, filter, crop) than the
         * current version's cannot be deployed: the ingest prepares live sources' frames for the current version, so
         * after the switch they would not fit its encoder; empty when they are prepared alike.
         */
        static Optional<String> otherPreparation(ModelCatalog catalog, ServedModel served) {
            return currentModel(catalog)
                    .filter(current -> current.resizeSize() != served.resizeSize()
                            || current.cropSize() != served.cropSize()
                            || !current.interpolation().equals(served.interpolation()))
                    .map(current -> "model version " + served.modelVersion() + " has a different CLIP visual encoder"
                            + " and prepares frames otherwise (resize " + served.resizeSize() + ", "
                            + served.interpolation() + ", crop " + served.cropSize() + ") than the current version "
                            + current.modelVersion() + " (resize " + current.resizeSize() + ", "
                            + current.interpolation() + ", crop " + current.cropSize() + "); the ingest prepares the"
                            + " live sources' frames for the current version, so they would not fit its encoder after"
                            + " the switch. Serve it on a fresh data directory ('bin/clip4stream run --model "
                            + served.modelVersion() + "') and ingest the videos again.");
        }

        /** Why a version of another visual encoder cannot be deployed when no media is kept to encode again. */
        static String otherEncoderRefusal(ModelCatalog catalog, ServedModel served, KeptMedia kept) {
            String version = served.modelVersion();
            return "model version " + version + " has a different CLIP visual encoder than the current version "
                    + currentModel(catalog).map(ServedModel::modelVersion).orElse("?")
                    + ": the frame embeddings the index keeps cannot serve it, its clips need frames encoded again, and "
                    + kept.why() + ". Serve it on a fresh data directory ('bin/clip4stream run --model " + version
                    + "') and ingest the videos again.";
        }
    }

    /**
     * What the ingest service keeps to encode again for a version of another visual encoder.
     *
     * @param kept sources whose video the ingest keeps (uploads)
     * @param notKept other sources (live streams, URLs): their clips stay under the versions that hold them
     * @param why why nothing can be encoded again, when {@code kept} is 0
     */
    record KeptMedia(int kept, int notKept, String why) {

        /** Reads the ingest's {@code GET /sources} answer ({@code mediaKept} per source). */
        static KeptMedia of(JsonNode sources) {
            int kept = 0;
            int notKept = 0;
            for (JsonNode source : sources.path("sources")) {
                if (source.path("mediaKept").asBoolean(false)) {
                    kept++;
                } else {
                    notKept++;
                }
            }
            String why = kept > 0
                    ? ""
                    : notKept == 0
                            ? "the ingest service holds no source"
                            : "none of the " + notKept + " source(s) has its video kept (only uploads are kept)";
            return new KeptMedia(kept, notKept, why);
        }
    }

    /** {@code model activate VERSION}: switches searches to a built version. */
    @Command(
            name = "activate",
            description = "Switch searches to a deployed model version once every shard has built it; the previous"
                    + " version is kept until 'model retire'.")
    static final class Activate implements Callable<Integer> {
        @Spec
        private CommandLine.Model.CommandSpec spec;

        @Mixin
        private Target target;

        @Parameters(paramLabel = "VERSION", description = "The model version to activate.")
        private String version;

        @Option(
                names = "--force",
                description = "Activate even if some shard has not caught up (its clips are missing).")
        private boolean force;

        private final Map<String, String> environment;

        Activate(Map<String, String> environment) {
            this.environment = Map.copyOf(environment);
        }

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (!force) {
                Optional<String> notReady = notReady(target.models(environment), version);
                if (notReady.isPresent()) {
                    err.println("Not activated: " + notReady.get());
                    err.flush();
                    return 1;
                }
            }
            return activate(target.log(environment), target, environment, version, out, err);
        }
    }

    /** {@code model retire VERSION}: drops a version that is no longer active. */
    @Command(
            name = "retire",
            description = "Retire a model version that is not active: index instances drop its vectors, query"
                    + " services stop serving it.")
    static final class Retire implements Callable<Integer> {
        @Spec
        private CommandLine.Model.CommandSpec spec;

        @Mixin
        private Target target;

        @Parameters(paramLabel = "VERSION", description = "The model version to retire.")
        private String version;

        private final Map<String, String> environment;

        Retire(Map<String, String> environment) {
            this.environment = Map.copyOf(environment);
        }

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            ModelVersionLog log = target.log(environment);
            ModelCatalog catalog = log.readCatalog();
            Optional<ModelVersion> record = catalog.record(version);
            if (record.isEmpty()) {
                err.println("Not retired: model version " + version + " is unknown; known: "
                        + catalog.records().keySet());
                err.flush();
                return 1;
            }
            String active = catalog.active().orElseGet(() -> activeOfQueryService(target, environment));
            if (version.equals(active)) {
                err.println("Not retired: model version " + version + " is active; activate another version first.");
                err.flush();
                return 1;
            }
            log.publish(WRITER, withStatus(record.get(), ModelStatus.RETIRED));
            out.println("Retired model version " + version + ": index instances drop its vectors in the background.");
            out.flush();
            return 0;
        }
    }

    /** {@code model versions}: the deployment's versions, their status and per-shard build progress. */
    @Command(name = "versions", description = "List the deployment's model versions: status and progress per shard.")
    static final class Versions implements Callable<Integer> {
        @Spec
        private CommandLine.Model.CommandSpec spec;

        @Mixin
        private Target target;

        @Option(names = "--json", description = "Print the query service's /v1/models report as one JSON object.")
        private boolean json;

        private final Map<String, String> environment;

        Versions(Map<String, String> environment) {
            this.environment = Map.copyOf(environment);
        }

        @Override
        public Integer call() throws Exception {
            JsonNode report = target.models(environment);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(JSON.writeValueAsString(report));
                out.flush();
                return 0;
            }
            printVersions(report, out);
            out.flush();
            return 0;
        }
    }

    /** Prints the query service's {@code /v1/models} report as a table, one row per model version. */
    static void printVersions(JsonNode report, PrintWriter out) {
        String active = report.path("active").asText();
        Set<String> served = new java.util.HashSet<>();
        report.path("served").forEach(v -> served.add(v.asText()));
        TextTable table = new TextTable(List.of("version", "status", "searches", "shards built", "note"), Set.of());
        for (Iterator<Map.Entry<String, JsonNode>> it = report.path("versions").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            JsonNode v = entry.getValue();
            int complete = 0;
            long held = 0;
            long total = 0;
            for (JsonNode shard : v.path("shards")) {
                complete += shard.path("complete").asBoolean() ? 1 : 0;
                held += shard.path("held").asLong();
                total += shard.path("total").asLong();
            }
            table.row(
                    entry.getKey(),
                    v.path("status").asText(),
                    entry.getKey().equals(active) ? "active" : served.contains(entry.getKey()) ? "by name" : "-",
                    complete + "/" + report.path("partitions").size() + " (" + held + "/" + total + " clips)",
                    v.path("notBuilt")
                            .asText(
                                    v.path("ready").asBoolean()
                                            ? "ready"
                                            : reencoding(v) ? "another CLIP: kept videos are encoded again" : ""));
        }
        table.print(out);
        if (report.path("unanswered").size() > 0) {
            out.println("Not answering: " + report.path("unanswered"));
        }
    }

    /** Whether some index instance builds the version {@code entry} reports from kept videos encoded again. */
    private static boolean reencoding(JsonNode entry) {
        return entry.path("reencode").asBoolean(false);
    }

    /** Why {@code version} cannot be activated per the query service's {@code report}; empty when it can. */
    static Optional<String> notReady(JsonNode report, String version) {
        JsonNode entry = report.path("versions").path(version);
        if (entry.isMissingNode()) {
            return Optional.of("no index instance reports model version " + version + "; deploy it first");
        }
        if (entry.has("notBuilt")) {
            return Optional.of("model version " + version + " is not built: "
                    + entry.path("notBuilt").asText());
        }
        boolean served = false;
        for (JsonNode v : report.path("served")) {
            served |= v.asText().equals(version);
        }
        if (entry.path("ready").asBoolean()) {
            return Optional.empty();
        }
        boolean built = entry.path("shards").size() > 0;
        for (JsonNode shard : entry.path("shards")) {
            built &= shard.path("complete").asBoolean();
        }
        if (!built || report.path("unanswered").size() > 0) {
            return Optional.of("not every shard has built model version " + version + " yet: "
                    + entry.path("shards") + " of partitions " + report.path("partitions")
                    + (report.path("unanswered").size() > 0 ? "; not answering: " + report.path("unanswered") : ""));
        }
        if (!served) {
            return Optional.of("the query service does not serve model version " + version + " (yet): it loads a"
                    + " deployed version's weights from the location its record names");
        }
        return Optional.of(
                "model version " + version + " is not ready on every partition " + report.path("partitions"));
    }

    private static boolean waitUntilReady(
            Target target, Map<String, String> environment, String version, Duration limit, PrintWriter out)
            throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                Optional<String> notReady = notReady(target.models(environment), version);
                if (notReady.isEmpty()) {
                    return true;
                }
                if (!notReady.get().equals(last)) {
                    out.println("Waiting: " + notReady.get());
                    out.flush();
                    last = notReady.get();
                }
            } catch (IOException e) {
                out.println("Waiting: " + e.getMessage());
                out.flush();
            }
            Thread.sleep(POLL);
        }
        return false;
    }

    private static int activate(
            ModelVersionLog log,
            Target target,
            Map<String, String> environment,
            String version,
            PrintWriter out,
            PrintWriter err)
            throws InterruptedException {
        ModelCatalog catalog = log.readCatalog();
        Optional<ModelVersion> record = catalog.record(version);
        if (record.isEmpty() || catalog.retired(version)) {
            err.println("Not activated: model version " + version + (record.isEmpty() ? " is unknown" : " is retired"));
            err.flush();
            return 1;
        }
        Optional<String> previous = catalog.active().filter(v -> !v.equals(version));
        log.publish(WRITER, withStatus(record.get(), ModelStatus.ACTIVE));
        // The previous version is kept, built and served by name, until it is retired.
        previous.ifPresent(v -> log.publish(WRITER, withStatus(catalog.record(v).orElseThrow(), ModelStatus.READY)));
        long deadline = System.nanoTime() + KAFKA_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (version.equals(target.models(environment).path("active").asText())) {
                    out.println("Model version " + version + " is active: searches use it"
                            + previous.map(v -> "; " + v + " is kept until 'bin/clip4stream model retire " + v + "'")
                                    .orElse("")
                            + ".");
                    out.flush();
                    return 0;
                }
            } catch (IOException e) {
                // The query service may be restarting: ask again.
            }
            Thread.sleep(POLL);
        }
        err.println("Model version " + version + " is recorded as active, but the query service did not switch within "
                + KAFKA_TIMEOUT.toSeconds() + " s: see its log.");
        err.flush();
        return 1;
    }

    private static String activeOfQueryService(Target target, Map<String, String> environment) {
        try {
            return target.models(environment).path("active").asText(null);
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static ModelVersion withStatus(ModelVersion record, ModelStatus status) {
        return ModelVersion.newBuilder(record)
                .setStatus(status.wireName())
                .setRecordedBy(WRITER)
                .setRecordedAtMillis(System.currentTimeMillis())
                .build();
    }

    /** The version searches use now: the activated one, else the one services recorded last by serving it. */
    private static Optional<ServedModel> currentModel(ModelCatalog catalog) {
        return catalog.current().flatMap(catalog::record).map(ServedModel::of);
    }
}
