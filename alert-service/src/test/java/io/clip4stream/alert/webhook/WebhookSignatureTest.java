package io.clip4stream.alert.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WebhookSignatureTest {

    @Test
    void shouldSignAsHmacSha256Hex() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        byte[] body = "what do ya want for nothing?".getBytes(StandardCharsets.US_ASCII);
        assertEquals(
                "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
                WebhookSignature.sign("Jefe", body));
        assertTrue(WebhookSignature.verify("Jefe", body, WebhookSignature.sign("Jefe", body)));
        assertFalse(WebhookSignature.verify("jefe", body, WebhookSignature.sign("Jefe", body)));
        assertFalse(WebhookSignature.verify("Jefe", body, null));
    }
}
