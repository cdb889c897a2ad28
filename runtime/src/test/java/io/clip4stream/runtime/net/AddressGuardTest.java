package io.clip4stream.runtime.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.junit.jupiter.api.Test;

class AddressGuardTest {
    private static AddressGuard guard(boolean allowPrivate, String... addresses) {
        return new AddressGuard(allowPrivate, "CLIP4S_X_ALLOW", host -> {
            if (addresses.length == 0) {
                throw new UnknownHostException(host);
            }
            List<InetAddress> out = new java.util.ArrayList<>();
            for (String a : addresses) {
                out.add(InetAddress.getByName(a));
            }
            return out;
        });
    }

    @Test
    void shouldRefuseAHostWithAnyInternalAddressAndNameTheSettingThatAllowsIt() {
        AddressGuard.Refusal refusal = guard(false, "93.184.216.34", "10.0.0.7")
                .refusal("mixed.example")
                .orElseThrow();
        assertEquals(AddressGuard.Reason.FORBIDDEN, refusal.reason());
        assertTrue(
                refusal.message().contains("10.0.0.7") && refusal.message().contains("CLIP4S_X_ALLOW=true"),
                refusal.message());
        assertTrue(guard(false, "93.184.216.34").refusal("public.example").isEmpty());
        assertTrue(guard(true, "127.0.0.1").refusal("[::1]").isEmpty());
    }

    @Test
    void shouldTellAMissingHostFromAnUnresolvableOne() {
        assertEquals(
                AddressGuard.Reason.NO_HOST,
                guard(false).refusal(" ").orElseThrow().reason());
        AddressGuard.Refusal unresolvable =
                guard(false).refusal("nowhere.example").orElseThrow();
        assertEquals(AddressGuard.Reason.UNRESOLVABLE, unresolvable.reason());
        assertTrue(unresolvable.cause().isPresent());
    }

    @Test
    void shouldThrowTheCallersExceptionWhenChecking() {
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> guard(false, "127.0.0.1").check("localhost", r -> new IllegalStateException(r.message())));
        assertTrue(e.getMessage().contains("loopback"), e.getMessage());
    }

    @Test
    void shouldNameEachKindOfInternalAddress() throws Exception {
        assertEquals("loopback", AddressGuard.forbiddenKind(InetAddress.getByName("127.0.0.1")));
        assertEquals("private", AddressGuard.forbiddenKind(InetAddress.getByName("192.168.1.1")));
        assertEquals("link-local", AddressGuard.forbiddenKind(InetAddress.getByName("169.254.169.254")));
        assertEquals("carrier-grade NAT (private)", AddressGuard.forbiddenKind(InetAddress.getByName("100.64.0.1")));
        assertEquals("unique-local (private)", AddressGuard.forbiddenKind(InetAddress.getByName("fd00::1")));
        assertEquals("loopback", AddressGuard.forbiddenKind(InetAddress.getByName("::ffff:127.0.0.1")));
        assertEquals(null, AddressGuard.forbiddenKind(InetAddress.getByName("93.184.216.34")));
    }
}
