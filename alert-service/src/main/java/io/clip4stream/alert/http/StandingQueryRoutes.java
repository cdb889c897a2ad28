package io.clip4stream.alert.http;

import io.clip4stream.alert.match.ScoreSketch;
import io.clip4stream.alert.match.WatchedQuery;
import io.clip4stream.alert.stream.StandingQueryRegistry;
import io.clip4stream.alert.stream.TextEncoder;
import io.clip4stream.alert.webhook.WebhookTargetGuard;
import io.clip4stream.runtime.http.ApiException;
import io.clip4stream.runtime.http.Exchange;
import io.clip4stream.schemas.avro.StandingQuery;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/** {@code /standing-queries}: create (POST), list (GET), show with calibration (GET /{id}), delete (DELETE /{id}). */
public final class StandingQueryRoutes {
    /** The path of the collection. */
    public static final String PATH = "/standing-queries";

    private static final long MAX_BODY = 64 * 1024;

    private final StandingQueryRegistry registry;
    private final TextEncoder encoder;
    private final StandingQueryWriter writer;
    private final CalibrationSource calibration;
    private final Predicate<String> sourceKnown;
    private final ToLongFunction<String> alertsFired;
    private final WebhookTargetGuard guard;
    private final LongSupplier clock;
    private final SecureRandom random = new SecureRandom();

    /**
     * The routes.
     *
     * @param registry the standing queries this instance knows
     * @param encoder encodes a new query's text (stored with its model version)
     * @param writer writes the standing-queries topic
     * @param calibration the calibration sketches of a query
     * @param sourceKnown whether a source exists
     * @param alertsFired alerts a query fired
     * @param guard the webhook address rule
     * @param clock wall clock
     */
    public StandingQueryRoutes(
            StandingQueryRegistry registry,
            TextEncoder encoder,
            StandingQueryWriter writer,
            CalibrationSource calibration,
            Predicate<String> sourceKnown,
            ToLongFunction<String> alertsFired,
            WebhookTargetGuard guard,
            LongSupplier clock) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.encoder = Objects.requireNonNull(encoder, "encoder");
        this.writer = Objects.requireNonNull(writer, "writer");
        this.calibration = Objects.requireNonNull(calibration, "calibration");
        this.sourceKnown = Objects.requireNonNull(sourceKnown, "sourceKnown");
        this.alertsFired = Objects.requireNonNull(alertsFired, "alertsFired");
        this.guard = Objects.requireNonNull(guard, "guard");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Answers every request under {@value #PATH}. */
    public void handle(Exchange exchange) throws IOException {
        String path = exchange.path();
        String method = exchange.method();
        if (path.equals(PATH) || path.equals(PATH + "/")) {
            switch (method) {
                case "GET" -> exchange.respondJson(200, Map.of("standingQueries", list()));
                case "POST" -> create(exchange);
                default -> throw new ApiException(405, "method_not_allowed", "Use GET or POST on " + PATH);
            }
            return;
        }
        if (!path.startsWith(PATH + "/")) {
            throw ApiException.notFound("No route " + path);
        }
        String id = path.substring(PATH.length() + 1);
        StandingQueryRegistry.Entry entry =
                registry.get(id).orElseThrow(() -> ApiException.notFound("No standing query '" + id + "'"));
        switch (method) {
            case "GET" -> exchange.respondJson(200, detail(entry));
            case "DELETE" -> {
                writer.delete(id);
                registry.remove(id);
                exchange.respondJson(200, Map.of("deleted", id));
            }
            default -> throw new ApiException(405, "method_not_allowed", "Use GET or DELETE on " + PATH + "/{id}");
        }
    }

    private List<StandingQueryView> list() {
        return registry.all().stream()
                .map(entry -> StandingQueryView.of(entry.record()))
                .sorted(Comparator.comparing(StandingQueryView::createdAtMillis))
                .toList();
    }

    private void create(Exchange exchange) throws IOException {
        StandingQueryForm form;
        try {
            form = exchange.readJson(StandingQueryForm.class, MAX_BODY);
        } catch (ApiException e) {
            throw e;
        } catch (IOException e) {
            throw ApiException.badRequest("bad_json", "The body is not a standing query: " + e.getMessage());
        }
        if (form == null) {
            throw ApiException.badRequest("bad_json", "The body is empty");
        }
        StandingQuery draft = form.toRecord(
                sourceKnown, guard, () -> UUID.randomUUID().toString(), this::newSecret, clock.getAsLong());
        if (registry.get(draft.getQueryId()).isPresent()) {
            throw new ApiException(
                    409, "exists", "A standing query '" + draft.getQueryId() + "' exists; delete it first");
        }
        float[] raw = encoder.encodeRaw(draft.getText());
        List<Float> embedding = new ArrayList<>(raw.length);
        for (float v : raw) {
            embedding.add(v);
        }
        StandingQuery query = StandingQuery.newBuilder(draft)
                .setModelId(encoder.modelId())
                .setModelVersion(encoder.modelVersion())
                .setTextEmbedding(embedding)
                .build();
        writer.write(query);
        // The table brings it back through the global store too; registering now makes GET after POST consistent.
        registry.put(query);
        List<Map<String, String>> hooks = query.getWebhooks().stream()
                .map(w -> Map.of("url", w.getUrl(), "secret", w.getSecret()))
                .toList();
        exchange.respondJson(201, Map.of("standingQuery", StandingQueryView.of(query), "webhookSecrets", hooks));
    }

    private Map<String, Object> detail(StandingQueryRegistry.Entry entry) {
        String id = entry.record().getQueryId();
        List<ScoreSketch> sketches = calibration.sketches(id);
        ScoreSketch sketch = sketches.stream()
                .max(Comparator.comparingLong(ScoreSketch::count))
                .orElseGet(ScoreSketch::new);
        WatchedQuery watched = entry.watched();
        double threshold = watched.rule().threshold(sketch);
        double[] q = sketch.recentQuantiles(0.5, 0.9, 0.99);
        Map<String, Object> calibrationView = new java.util.LinkedHashMap<>();
        calibrationView.put("calibrated", sketch.calibrated());
        calibrationView.put("threshold", Double.isFinite(threshold) ? threshold : null);
        calibrationView.put(
                "samples", sketches.stream().mapToLong(ScoreSketch::count).sum());
        calibrationView.put("tasks", sketches.size());
        calibrationView.put("mean", sketch.count() == 0 ? null : sketch.mean());
        calibrationView.put("standardDeviation", sketch.count() == 0 ? null : sketch.standardDeviation());
        calibrationView.put(
                "recentQuantiles", sketch.count() == 0 ? Map.of() : Map.of("p50", q[0], "p90", q[1], "p99", q[2]));
        calibrationView.put("alertsFired", alertsFired.applyAsLong(id));
        return Map.of("standingQuery", StandingQueryView.of(entry.record()), "calibration", calibrationView);
    }

    private String newSecret() {
        byte[] bytes = new byte[24];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
