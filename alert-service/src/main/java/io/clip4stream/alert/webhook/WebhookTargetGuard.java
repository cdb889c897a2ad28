package io.clip4stream.alert.webhook;

import io.clip4stream.runtime.net.AddressGuard;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;

/**
 * Refuses webhook URLs that are not http(s), or whose host the shared {@link AddressGuard} refuses (loopback,
 * private, link-local or unspecified addresses unless allowed: the rule ingest applies to the videos it fetches), so a
 * webhook cannot become a way to reach the services next to this one.
 */
public final class WebhookTargetGuard {
    /** The setting that allows private webhook targets (declared by the service's config), named in refusals. */
    public static final String ALLOW_SETTING = "CLIP4S_ALERT_ALLOW_PRIVATE_WEBHOOKS";

    private final AddressGuard addresses;

    /** A guard resolving with the system resolver. */
    public WebhookTargetGuard(boolean allowPrivate) {
        this(new AddressGuard(allowPrivate, ALLOW_SETTING));
    }

    /** A guard resolving with {@code resolver}. */
    public WebhookTargetGuard(boolean allowPrivate, AddressGuard.HostResolver resolver) {
        this(new AddressGuard(allowPrivate, ALLOW_SETTING, resolver));
    }

    /** A guard checking hosts with {@code addresses}. */
    public WebhookTargetGuard(AddressGuard addresses) {
        this.addresses = addresses;
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
        return addresses.refusal(uri.getHost()).map(refusal -> "webhook '" + url + "': " + refusal.message());
    }
}
