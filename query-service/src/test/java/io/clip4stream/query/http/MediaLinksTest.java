package io.clip4stream.query.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MediaLinksTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final MediaLinks links =
            new MediaLinks(Set.of("key-one-0123456789", "key-two-0123456789"), Duration.ofMinutes(10), now::get);

    @Test
    void aSignedLinkWorksForItsSourceUntilItExpires() {
        MediaLinks.Signed signed = links.sign("cam-1");
        assertEquals(1_000_000 + 600_000, signed.expiresAtMillis());
        String expires = Long.toString(signed.expiresAtMillis());
        assertTrue(links.verify("cam-1", expires, signed.signature()));
        now.set(signed.expiresAtMillis());
        assertTrue(links.verify("cam-1", expires, signed.signature()), "valid up to its expiry");
        now.set(signed.expiresAtMillis() + 1);
        assertFalse(links.verify("cam-1", expires, signed.signature()), "expired");
    }

    @Test
    void aLinkCannotBeMovedToAnotherSourceOrExtendedOrForged() {
        MediaLinks.Signed signed = links.sign("cam-1");
        String expires = Long.toString(signed.expiresAtMillis());
        assertFalse(links.verify("cam-2", expires, signed.signature()));
        assertFalse(links.verify("cam-1", Long.toString(signed.expiresAtMillis() + 1), signed.signature()));
        assertFalse(links.verify("cam-1", expires, signed.signature().substring(1) + "A"));
        assertFalse(links.verify("cam-1", "soon", signed.signature()));
        assertFalse(links.verify("cam-1", null, signed.signature()));
        assertFalse(links.verify("cam-1", expires, null));
        assertFalse(links.verify("cam-1", expires, ""));
    }

    @Test
    void replicasWithTheSameKeysAcceptEachOthersLinksOthersDoNot() {
        MediaLinks.Signed signed = links.sign("cam-1");
        String expires = Long.toString(signed.expiresAtMillis());
        MediaLinks sameKeysOtherOrder =
                new MediaLinks(List.of("key-two-0123456789", "key-one-0123456789"), Duration.ofMinutes(10), now::get);
        assertTrue(sameKeysOtherOrder.verify("cam-1", expires, signed.signature()));
        MediaLinks otherKeys = new MediaLinks(Set.of("key-three-0123456789"), Duration.ofMinutes(10), now::get);
        assertFalse(otherKeys.verify("cam-1", expires, signed.signature()));
        assertThrows(IllegalArgumentException.class, () -> new MediaLinks(Set.of(), Duration.ofMinutes(1), now::get));
    }
}
