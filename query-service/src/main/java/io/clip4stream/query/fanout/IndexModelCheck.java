package io.clip4stream.query.fanout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.runtime.kafka.ModelFit;
import io.clip4stream.runtime.kafka.ServedModel;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compares the query service's model with the model versions the index service has recorded for the deployment
 * ({@code GET /v1/models}): a text vector of another width, or of a version whose clips were made by another model,
 * would search nothing meaningful, so such a model must not serve.
 *
 * <p>The query service talks to Kafka only through the index, so it asks an index instance; until one answers, the
 * verdict is unknown and is asked again on the next readiness probe.
 */
public final class IndexModelCheck {
    /** The index service's path for the recorded model versions. */
    public static final String MODELS_PATH = "/v1/models";

    private static final Logger LOG = LoggerFactory.getLogger(IndexModelCheck.class);

    private final ServedModel own;
    private final HttpClient http;
    private final ObjectMapper json;
    private final String apiKey;
    private final Duration timeout;
    private final Supplier<List<URI>> instances;
    private volatile Optional<String> mismatch;
    private volatile boolean known;

    /** A check of {@code own} against what the index instances {@code instances} report ({@code apiKey}: blank for none). */
    public IndexModelCheck(
            ServedModel own,
            HttpClient http,
            ObjectMapper json,
            String apiKey,
            Duration timeout,
            Supplier<List<URI>> instances) {
        this.own = Objects.requireNonNull(own, "own");
        this.http = Objects.requireNonNull(http, "http");
        this.json = Objects.requireNonNull(json, "json");
        this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.instances = Objects.requireNonNull(instances, "instances");
        this.mismatch = Optional.empty();
    }

    /**
     * Asks the index (unless a verdict is already known) and returns why this model must not serve, naming both
     * models; empty when it fits or no index instance answered yet (see {@link #known()}).
     */
    public Optional<String> check() {
        if (known) {
            return mismatch;
        }
        for (URI instance : instances.get()) {
            Optional<List<ServedModel>> recorded = recorded(instance);
            if (recorded.isPresent()) {
                mismatch = new ModelFit(recorded.get()).mismatch(own);
                known = true;
                mismatch.ifPresentOrElse(
                        reason -> LOG.error("query-service: {} (reported by {})", reason, instance),
                        () -> LOG.info(
                                "query-service: model {} fits the deployment's recorded models", own.describe()));
                return mismatch;
            }
        }
        return Optional.empty();
    }

    /** Whether an index instance has answered, so that {@link #check()} is a verdict. */
    public boolean known() {
        return known;
    }

    /** For readiness: false once the model is known not to fit; true while it fits or no index answered yet. */
    public boolean fitsSoFar() {
        return check().isEmpty();
    }

    private Optional<List<ServedModel>> recorded(URI instance) {
        Optional<JsonNode> report = report(http, json, apiKey, timeout, instance);
        if (report.isEmpty()) {
            return Optional.empty();
        }
        List<ServedModel> models = new ArrayList<>();
        try {
            for (JsonNode node : report.get().path("models")) {
                models.add(json.treeToValue(node, ServedModel.class));
            }
        } catch (IOException e) {
            LOG.debug("{} reported models that do not read: {}", instance, e.toString());
            return Optional.empty();
        }
        return Optional.of(models);
    }

    /**
     * Index instance {@code instance}'s {@code GET /v1/models} report ({@code apiKey}: blank for none); empty when it
     * does not answer 200 within {@code timeout}.
     */
    public static Optional<JsonNode> report(
            HttpClient http, ObjectMapper json, String apiKey, Duration timeout, URI instance) {
        HttpRequest.Builder request = HttpRequest.newBuilder(instance.resolve(MODELS_PATH))
                .timeout(timeout)
                .GET();
        if (!apiKey.isBlank()) {
            request.header("X-Api-Key", apiKey);
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                LOG.debug("{} answered {} for {}", instance, response.statusCode(), MODELS_PATH);
                return Optional.empty();
            }
            return Optional.of(json.readTree(response.body()));
        } catch (IOException e) {
            LOG.debug("{} did not report its models: {}", instance, e.toString());
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
