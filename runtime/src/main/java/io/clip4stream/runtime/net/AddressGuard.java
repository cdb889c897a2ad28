package io.clip4stream.runtime.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The SSRF guard of every service that connects where a user says (ingest's URL and stream sources, the alert
 * service's webhooks): resolves a host and refuses it when any of its addresses is loopback, private, link-local,
 * unspecified, carrier-grade NAT or IPv6 unique-local, unless private targets are explicitly allowed.
 *
 * <p>Every address is checked, not only the first, so a name that resolves to one public and one private address is
 * refused.
 */
public final class AddressGuard {
    private final boolean allowPrivate;
    private final String allowSetting;
    private final HostResolver resolver;

    /** Resolves host names to their addresses; the JDK resolver in production, a fake in tests. */
    @FunctionalInterface
    public interface HostResolver {
        /** Every address of {@code host}. */
        List<InetAddress> resolve(String host) throws UnknownHostException;
    }

    /** Why a host was refused. */
    public enum Reason {
        /** The URL names no host. */
        NO_HOST,
        /** The host cannot be resolved, or has no address. */
        UNRESOLVABLE,
        /** The host resolves to a loopback, private or otherwise internal address. */
        FORBIDDEN
    }

    /**
     * A refused host.
     *
     * @param reason why, for the caller's status code
     * @param message a readable reason naming the host (and, when forbidden, the setting that allows it)
     * @param cause the resolver's error, when there was one
     */
    public record Refusal(Reason reason, String message, Optional<UnknownHostException> cause) {
        /** Checks the parts. */
        public Refusal {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(cause, "cause");
        }
    }

    /**
     * A guard using the system resolver.
     *
     * @param allowPrivate whether private targets are allowed
     * @param allowSetting the setting that allows them, named in refusals
     */
    public AddressGuard(boolean allowPrivate, String allowSetting) {
        this(allowPrivate, allowSetting, host -> Arrays.asList(InetAddress.getAllByName(host)));
    }

    /** A guard using {@code resolver}. */
    public AddressGuard(boolean allowPrivate, String allowSetting, HostResolver resolver) {
        this.allowPrivate = allowPrivate;
        this.allowSetting = Objects.requireNonNull(allowSetting, "allowSetting");
        this.resolver = Objects.requireNonNull(resolver, "resolver");
    }

    /** Whether private targets are allowed. */
    public boolean allowPrivate() {
        return allowPrivate;
    }

    /** Why {@code host} (a URI's host, IPv6 literals in brackets or not) may not be connected to, or empty. */
    public Optional<Refusal> refusal(String host) {
        if (host == null || host.isBlank()) {
            return Optional.of(new Refusal(Reason.NO_HOST, "The URL has no host", Optional.empty()));
        }
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        List<InetAddress> addresses;
        try {
            addresses = resolver.resolve(bare);
        } catch (UnknownHostException e) {
            return Optional.of(
                    new Refusal(Reason.UNRESOLVABLE, "Host " + host + " cannot be resolved", Optional.of(e)));
        }
        if (addresses.isEmpty()) {
            return Optional.of(new Refusal(Reason.UNRESOLVABLE, "Host " + host + " has no address", Optional.empty()));
        }
        if (allowPrivate) {
            return Optional.empty();
        }
        for (InetAddress address : addresses) {
            String kind = forbiddenKind(address);
            if (kind != null) {
                return Optional.of(new Refusal(
                        Reason.FORBIDDEN,
                        "Host " + host + " resolves to " + address.getHostAddress() + ", a " + kind
                                + " address; such targets are refused (set " + allowSetting + "=true to allow them)",
                        Optional.empty()));
            }
        }
        return Optional.empty();
    }

    /** Throws the caller's exception for {@code host}'s refusal, if it is refused. */
    public <E extends Exception> void check(String host, Function<Refusal, E> refused) throws E {
        Optional<Refusal> refusal = refusal(host);
        if (refusal.isPresent()) {
            throw refused.apply(refusal.get());
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
