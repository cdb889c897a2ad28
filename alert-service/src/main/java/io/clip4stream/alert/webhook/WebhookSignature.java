package io.clip4stream.alert.webhook;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** The {@value #HEADER} header: {@code sha256=} and the hex HMAC-SHA256 of the body under the watch's secret. */
public final class WebhookSignature {
    /** Header carrying the signature. */
    public static final String HEADER = "X-Clip4Stream-Signature";

    /** Header carrying the delivery id (alert id and event), for receivers to drop a redelivery. */
    public static final String DELIVERY_HEADER = "X-Clip4Stream-Delivery";

    private static final String ALGORITHM = "HmacSHA256";

    private WebhookSignature() {}

    /** The header value signing {@code body} with {@code secret}. */
    public static String sign(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA256 is unavailable in this JVM", e);
        }
    }

    /** Whether {@code header} is the signature of {@code body} under {@code secret} (constant-time comparison). */
    public static boolean verify(String secret, byte[] body, String header) {
        if (header == null) {
            return false;
        }
        return MessageDigest.isEqual(
                sign(secret, body).getBytes(StandardCharsets.US_ASCII), header.getBytes(StandardCharsets.US_ASCII));
    }
}
