package io.clip4stream.ingest.source;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The SSRF guard: resolves a URL's host and refuses it when any of its addresses is loopback, private, link-local,
 * unspecified, carrier-grade NAT or IPv6 unique-local, unless private targets are explicitly allowed.
 *
 * <p>Every address is checked, not only the first, so a name that resolves to one public and one private address is
 * refused.
 */
public final class AddressGuard {
    private final boolean allowPrivate;
    private final HostResolver resolver;

    /** Resolves host names to their addresses; the JDK resolver in production, a fake in tests. */
    @FunctionalInterface
    public interface HostResolver {
        /** Every address of {@code host}. */
        List<InetAddress> resolve(String host) throws UnknownHostException;
    }

    /** A guard using the system resolver. */
    public AddressGuard(boolean allowPrivate) {
        this(allowPrivate, host -> Arrays.asList(InetAddress.getAllByName(host)));
    }

    /** A guard using {@code resolver}. */
    public AddressGuard(boolean allowPrivate, HostResolver resolver) {
        this.allowPrivate = allowPrivate;
        this.resolver = resolver;
    }

    /** Whether private targets are allowed. */
    public boolean allowPrivate() {
        return allowPrivate;
    }

    /** Throws when {@code host} cannot be resolved or resolves to a forbidden address. */
    public void check(String host) throws SourceRejectedException {
        if (host == null || host.isBlank()) {
            throw new SourceRejectedException(400, "bad_uri", "The URL has no host");
        }
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        List<InetAddress> addresses;
        try {
            addresses = resolver.resolve(bare);
        } catch (UnknownHostException e) {
            throw new SourceRejectedException(400, "unresolvable_host", "Host " + host + " cannot be resolved", e);
        }
        if (addresses.isEmpty()) {
            throw new SourceRejectedException(400, "unresolvable_host", "Host " + host + " has no address");
        }
        if (allowPrivate) {
            return;
        }
        for (InetAddress address : addresses) {
            String kind = forbiddenKind(address);
            if (kind != null) {
                throw new SourceRejectedException(
                        403,
                        "forbidden_target",
                        "Host " + host + " resolves to " + address.getHostAddress() + ", a " + kind
                                + " address; such targets are refused (set CLIP4S_INGEST_ALLOW_PRIVATE_URLS=true to"
                                + " allow them)");
            }
        }
    }

    /** Why {@code address} is forbidden ("loopback", "private", ...), or null when it is a public address. */
    public static String forbiddenKind(InetAddress address) {
        if (address instanceof Inet6Address v6) {
            byte[] b = v6.getAddress();
            boolean mapped = true;
            for (int i = 0; i < 10; i++) {
                mapped &= b[i] == 0;
            }
            if (mapped && (b[10] & 0xFF) == 0xFF && (b[11] & 0xFF) == 0xFF) {
                try {
                    return forbiddenKind(InetAddress.getByAddress(Arrays.copyOfRange(b, 12, 16)));
                } catch (UnknownHostException e) {
                    throw new IllegalStateException("4 bytes are always an IPv4 address", e);
                }
            }
            if ((b[0] & 0xFE) == 0xFC) {
                return "unique-local (private)";
            }
        }
        if (address.isLoopbackAddress()) {
            return "loopback";
        }
        if (address.isAnyLocalAddress()) {
            return "unspecified";
        }
        if (address.isLinkLocalAddress()) {
            return "link-local";
        }
        if (address.isSiteLocalAddress()) {
            return "private";
        }
        if (address instanceof Inet4Address v4) {
            byte[] b = v4.getAddress();
            int first = b[0] & 0xFF;
            int second = b[1] & 0xFF;
            if (first == 100 && second >= 64 && second < 128) {
                return "carrier-grade NAT (private)";
            }
            if (first == 0) {
                return "unspecified";
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return "AddressGuard[" + (allowPrivate ? "private allowed" : "public only").toLowerCase(Locale.ROOT) + "]";
    }
}
