package io.clip4stream.query.caption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.runtime.http.ApiException;
import org.junit.jupiter.api.Test;

class CaptionRoutesTest {

    @Test
    void readsOneObjectEvenOverSeveralLines() {
        assertEquals(
                1,
                CaptionRoutes.parse("{\n \"source\": \"a\",\n \"text\": \"b\"\n}\n")
                        .size());
    }

    @Test
    void readsJsonLinesSkippingBlankLines() {
        var lines = CaptionRoutes.parse("{\"text\":\"a\"}\n\n{\"text\":\"b\"}\r\n{\"text\":\"c\"}\n");

        assertEquals(3, lines.size());
        assertEquals("c", lines.get(2).get("text").asText());
    }

    @Test
    void namesTheLineThatIsNotJson() {
        ApiException e =
                assertThrows(ApiException.class, () -> CaptionRoutes.parse("{\"text\":\"a\"}\n{\"text\": oops}\n"));

        assertEquals(400, e.status());
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
    }
}
