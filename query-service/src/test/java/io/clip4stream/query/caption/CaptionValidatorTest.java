package io.clip4stream.query.caption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.schemas.avro.Caption;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CaptionValidatorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, Long> INDEXED = Map.of("cam-1", 60_000_000L);
    private final CaptionValidator validator = new CaptionValidator(() -> 42L);

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    private String reason(String request) throws Exception {
        JsonNode node = json(request);
        return assertThrows(CaptionRejected.class, () -> validator.validate(node, INDEXED))
                .getMessage();
    }

    @Test
    void acceptsACaptionInsideTheIndexedRange() throws Exception {
        Caption caption = validator.validate(
                json("{\"source\":\"cam-1\",\"start\":12.5,\"end\":24,\"text\":\"  a red ball rolls \"}"), INDEXED);

        assertEquals("cam-1", caption.getSourceId().toString());
        assertEquals(12_500_000L, caption.getStartMicros());
        assertEquals(24_000_000L, caption.getEndMicros());
        assertEquals("a red ball rolls", caption.getText().toString());
        assertEquals("default", caption.getTenant().toString());
        assertEquals(42L, caption.getCreatedAtMillis());
        assertEquals(
                CaptionValidator.derivedId("cam-1", 12_500_000L, 24_000_000L, "a red ball rolls"),
                caption.getCaptionId().toString());
    }

    @Test
    void derivesTheSameIdForTheSameCaptionAndKeepsAGivenOne() throws Exception {
        String base = "\"source\":\"cam-1\",\"start\":0,\"end\":5,\"text\":\"x\"";
        Caption first = validator.validate(json("{" + base + "}"), INDEXED);
        Caption again = validator.validate(json("{" + base + "}"), INDEXED);
        Caption other =
                validator.validate(json("{\"source\":\"cam-1\",\"start\":0,\"end\":6,\"text\":\"x\"}"), INDEXED);
        Caption named = validator.validate(json("{" + base + ",\"id\":\"mine\"}"), INDEXED);

        assertEquals(first.getCaptionId(), again.getCaptionId());
        assertNotEquals(first.getCaptionId(), other.getCaptionId());
        assertEquals("mine", named.getCaptionId().toString());
    }

    @Test
    void rejectsBadRangesWithTheirReason() throws Exception {
        assertTrue(reason("{\"source\":\"cam-1\",\"start\":-1,\"end\":5,\"text\":\"x\"}")
                .contains("negative"));
        assertTrue(reason("{\"source\":\"cam-1\",\"start\":5,\"end\":5,\"text\":\"x\"}")
                .contains("must be after"));
        assertTrue(reason("{\"source\":\"cam-1\",\"start\":6,\"end\":5,\"text\":\"x\"}")
                .contains("must be after"));
        String beyond = reason("{\"source\":\"cam-1\",\"start\":50,\"end\":61,\"text\":\"x\"}");
        assertTrue(beyond.contains("beyond") && beyond.contains("60.000"), beyond);
        assertTrue(reason("{\"source\":\"cam-1\",\"start\":\"a\",\"end\":5,\"text\":\"x\"}")
                .contains("number"));
        assertTrue(reason("{\"source\":\"cam-1\",\"end\":5,\"text\":\"x\"}").contains("missing \"start\""));
    }

    @Test
    void rejectsUnknownSourcesNamingTheKnownOnes() throws Exception {
        String reason = reason("{\"source\":\"cam-9\",\"start\":0,\"end\":5,\"text\":\"x\"}");

        assertTrue(reason.contains("unknown source 'cam-9'") && reason.contains("cam-1"), reason);
    }

    @Test
    void rejectsEmptyAndOversizedText() throws Exception {
        assertTrue(reason("{\"source\":\"cam-1\",\"start\":0,\"end\":5,\"text\":\"   \"}")
                .contains("empty"));
        String longText = "a".repeat(CaptionValidator.MAX_TEXT_CHARS + 1);
        assertTrue(reason("{\"source\":\"cam-1\",\"start\":0,\"end\":5,\"text\":\"" + longText + "\"}")
                .contains("at most"));
        assertTrue(reason("[1,2]").contains("JSON object"));
    }
}
