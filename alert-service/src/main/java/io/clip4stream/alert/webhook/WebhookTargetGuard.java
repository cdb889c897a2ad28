package io.clip4stream.alert.webhook;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Refuses webhook URLs that are not http(s) or whose host resolves to a loopback, private, link-local or
 * unspecified address (unless allowed), the rule URL ingest applies to the videos it fetches: a webhook must not
 * become a way to reach the services next to this one.
 */
public final class WebhookTargetGuard {
    private final boolean allowPrivate;
    private final HostResolver resolver;

    /** Resolves a host name to its addresses. */
    @FunctionalInterface
    public interface HostResolver {
        /** Every address of {@code host}. */
        List<InetAddress> resolve(String host) throws UnknownHostException;
    }

    /** A guard resolving with the system resolver. */
    public WebhookTargetGuard(boolean allowPrivate) {
        this(allowPrivate, host -> List.of(InetAddress.getAllByName(host)));
    }

    /** A guard resolving with {@code resolver}. */
    public WebhookTargetGuard(boolean allowPrivate, HostResolver resolver) {
        this.allowPrivate = allowPrivate;
        this.resolver = resolver;
    }

    /** Why {@code url} is refused as a webhook, or empty when it may be used. */
    public Optional<String> refusal(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return Optional.of("webhook '" + url + "' is not a URL: " + e.getMessage());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return Optional.of("webhook '" + url + "' must be an http or https URL");
        }
        String host = uri.getHost();
        if (host == null || host.isBlank()) {
            return Optional.of("webhook '" + url + "' has no host");
        }
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        List<InetAddress> addresses;
        try {
            addresses = resolver.resolve(bare);
        } catch (UnknownHostException e) {
            return Optional.of("webhook host " + host + " cannot be resolved");
        }
        if (addresses.isEmpty()) {
            return Optional.of("webhook host " + host + " has no address");
        }
        if (allowPrivate) {
            return Optional.empty();
        }
        for (InetAddress address : addresses) {
            String kind = forbiddenKind(address);
            if (kind != null) {
                return Optional.of("webhook host " + host + " resolves to " + address.getHostAddress() + ", a " + kind
                        + " address; such targets are refused (set CLIP4S_ALERT_ALLOW_PRIVATE_WEBHOOKS=true to allow"
                        + " them)");
            }
        }
        return Optional.empty();
    }

    /** Why {@code address} is forbidden ("loopback", "private", ...), or null when it is a public address. */
    static String forbiddenKind(InetAddress address) {
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
}
