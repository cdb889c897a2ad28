package io.clip4stream.query.caption;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.runtime.http.ApiException;
import io.clip4stream.runtime.http.Exchange;
import io.clip4stream.schemas.avro.Caption;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * {@code POST /captions}: one caption as a JSON object, or many as JSON Lines (one object per line), validated against
 * what the index holds; all are stored or none, and a rejection names the line and the reason. {@code GET
 * /captions[?source=ID]}: the stored captions, by source and start.
 */
public final class CaptionRoutes {

    /** The route. */
    public static final String PATH = "/captions";

    // Trailing tokens fail: a JSON Lines body must not read as its first line alone.
    private static final ObjectMapper JSON = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final CaptionValidator validator;
    private final CaptionStore store;
    private final Supplier<IndexedSources> indexed;
    private final long maxBodyBytes;

    /**
     * What the index holds, as the query service learned it for one request.
     *
     * @param upTo per source id, how far the index holds it, in microseconds of source time
     * @param complete whether every shard answered (when one did not, a source missing from {@code upTo} may still be
     *     indexed)
     */
    public record IndexedSources(Map<String, Long> upTo, boolean complete) {
        /** Copies the map. */
        public IndexedSources {
            upTo = Map.copyOf(upTo);
        }
    }

    /**
     * Routes storing in {@code store} what {@code validator} accepts against {@code indexed} (asked once per request),
     * bodies up to {@code maxBodyBytes}.
     */
    public CaptionRoutes(
            CaptionValidator validator, CaptionStore store, Supplier<IndexedSources> indexed, long maxBodyBytes) {
        this.validator = Objects.requireNonNull(validator, "validator");
        this.store = Objects.requireNonNull(store, "store");
        this.indexed = Objects.requireNonNull(indexed, "indexed");
        this.maxBodyBytes = maxBodyBytes;
    }

    /** Routes against an index whose every shard answers with {@code indexedUpTo}. */
    public static CaptionRoutes ofCompleteIndex(
            CaptionValidator validator,
            CaptionStore store,
            Supplier<Map<String, Long>> indexedUpTo,
            long maxBodyBytes) {
        return new CaptionRoutes(validator, store, () -> new IndexedSources(indexedUpTo.get(), true), maxBodyBytes);
    }

    /** Answers {@code /captions}. */
    public void handle(Exchange exchange) throws IOException {
        if (!exchange.path().equals(PATH)) {
            throw ApiException.notFound("No route " + exchange.path());
        }
        switch (exchange.method()) {
            case "POST" -> post(exchange);
            case "GET" -> list(exchange);
            default -> throw new ApiException(405, "method_not_allowed", "Use POST or GET on " + PATH);
        }
    }

    private void post(Exchange exchange) throws IOException {
        String body = new String(exchange.body(maxBodyBytes), StandardCharsets.UTF_8);
        List<JsonNode> requests = parse(body);
        IndexedSources sources = indexed.get();
        Map<String, Long> known = sources.upTo();
        List<Caption> captions = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            try {
                captions.add(validator.validate(requests.get(i), known));
            } catch (CaptionRejected e) {
                String source = requests.get(i).path("source").asText("");
                if (!sources.complete() && !source.isEmpty() && !known.containsKey(source)) {
                    // Not "unknown": the shard holding the source may be the one that did not answer.
                    throw new ApiException(
                            503,
                            "index_incomplete",
                            "Cannot tell whether source '" + source + "' is indexed: some index shards did not answer;"
                                    + " try again (nothing was stored)");
                }
                throw ApiException.badRequest(
                        "invalid_caption",
                        (requests.size() > 1 ? "line " + (i + 1) + ": " : "")
                                + e.getMessage()
                                + (requests.size() > 1 ? " (nothing was stored)" : ""));
            }
        }
        try {
            store.append(captions);
        } catch (IllegalStateException e) {
            throw new ApiException(503, "captions_unavailable", e.getMessage());
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("stored", captions.size());
        answer.put("captions", captions.stream().map(CaptionRoutes::json).toList());
        exchange.respondJson(201, answer);
    }

    private void list(Exchange exchange) throws IOException {
        String source = exchange.query().get("source");
        List<Caption> all;
        try {
            all = store.all();
        } catch (IllegalStateException | org.apache.kafka.common.KafkaException e) {
            throw new ApiException(503, "captions_unavailable", e.getMessage());
        }
        List<Map<String, Object>> captions = all.stream()
                .filter(c -> source == null || c.getSourceId().toString().equals(source))
                .sorted(Comparator.comparing((Caption c) -> c.getSourceId().toString())
                        .thenComparingLong(Caption::getStartMicros)
                        .thenComparing(c -> c.getCaptionId().toString()))
                .map(CaptionRoutes::json)
                .toList();
        exchange.respondJson(200, Map.of("captions", captions));
    }

    /** One JSON object, or JSON Lines (blank lines skipped). */
    static List<JsonNode> parse(String body) {
        String trimmed = body.strip();
        if (trimmed.isEmpty()) {
            throw ApiException.badRequest("invalid_caption", "empty body: send a caption as JSON, or JSON Lines");
        }
        List<JsonNode> out = new ArrayList<>();
        try {
            out.add(JSON.readTree(trimmed));
            return out;
        } catch (JsonProcessingException whole) {
            // Not one document: read it as JSON Lines.
        }
        String[] lines = trimmed.split("\r?\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            try {
                out.add(JSON.readTree(lines[i]));
            } catch (JsonProcessingException e) {
                throw ApiException.badRequest(
                        "invalid_caption",
                        "line " + (i + 1) + " is not JSON: " + e.getOriginalMessage() + " (nothing was stored)");
            }
        }
        return out;
    }

    /** The wire form of a caption: times in seconds, as search answers give them. */
    static Map<String, Object> json(Caption caption) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", caption.getCaptionId().toString());
        out.put("source", caption.getSourceId().toString());
        out.put("start", caption.getStartMicros() / 1e6);
        out.put("end", caption.getEndMicros() / 1e6);
        out.put("text", caption.getText().toString());
        out.put("tenant", caption.getTenant().toString());
        out.put("createdAtMillis", caption.getCreatedAtMillis());
        return out;
    }
}
