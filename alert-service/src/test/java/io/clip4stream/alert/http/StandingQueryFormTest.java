package io.clip4stream.alert.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.alert.webhook.WebhookTargetGuard;
import io.clip4stream.runtime.http.ApiException;
import io.clip4stream.schemas.avro.AbsoluteThreshold;
import io.clip4stream.schemas.avro.RateThreshold;
import io.clip4stream.schemas.avro.StandingQuery;
import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StandingQueryFormTest {
    // Names resolve without DNS: public.example is public, intranet.example private.
    private final WebhookTargetGuard guard = new WebhookTargetGuard(
            false,
            host -> List.of(
                    switch (host) {
                        case "public.example" ->
                            InetAddress.getByAddress(host, new byte[] {93, (byte) 184, (byte) 216, 34});
                        case "intranet.example" -> InetAddress.getByAddress(host, new byte[] {10, 1, 2, 3});
                        default -> InetAddress.getByName(host);
                    }));

    private StandingQuery record(StandingQueryForm form) {
        return form.toRecord(Set.of("cam-1")::contains, guard, () -> "generated", () -> "secret", 77);
    }

    private static StandingQueryForm form(
            String text, List<String> sources, Double minScore, String rate, List<StandingQueryForm.Webhook> webhooks) {
        return new StandingQueryForm(null, text, sources, null, minScore, rate, null, null, webhooks);
    }

    private String refusal(StandingQueryForm form) {
        ApiException e = assertThrows(ApiException.class, () -> record(form));
        assertEquals(400, e.status());
        return e.code();
    }

    @Test
    void shouldBuildARecordWithDefaultsAndGeneratedIdAndSecrets() {
        StandingQuery query = record(form(
                " a red circle ",
                List.of("cam-1"),
                null,
                null,
                List.of(new StandingQueryForm.Webhook("https://public.example/hook", null))));
        assertEquals("generated", query.getQueryId());
        assertEquals("a red circle", query.getText());
        assertEquals(new RateThreshold(1.0), query.getThreshold());
        assertEquals(15_000, query.getGapMillis());
        assertEquals("secret", query.getWebhooks().getFirst().getSecret());
        assertEquals(77, query.getCreatedAtMillis());
        assertEquals(
                new AbsoluteThreshold(0.5),
                record(form("x", null, 0.5, null, null)).getThreshold());
    }

    @Test
    void shouldReadRatesPerMinuteHourDayAndWeek() {
        assertEquals(1.0, StandingQueryForm.alertsPerDay("1/day"));
        assertEquals(72.0, StandingQueryForm.alertsPerDay("3/hour"));
        assertEquals(1440.0, StandingQueryForm.alertsPerDay("1 / minute"));
        assertEquals(2.0 / 7, StandingQueryForm.alertsPerDay("2/week"), 1e-12);
        assertEquals(0.5, StandingQueryForm.alertsPerDay("0.5"));
    }

    @Test
    void shouldRefuseBadQueriesWithAReason() {
        assertEquals("empty_text", refusal(form("   ", null, null, null, null)));
        assertEquals("empty_text", refusal(form(null, null, null, null, null)));
        assertEquals("unknown_source", refusal(form("x", List.of("cam-9"), null, null, null)));
        assertEquals("bad_rate", refusal(form("x", null, null, "-1/day", null)));
        assertEquals("bad_rate", refusal(form("x", null, null, "0", null)));
        assertEquals("bad_rate", refusal(form("x", null, null, "often", null)));
        assertEquals("bad_threshold", refusal(form("x", null, 0.5, "1/day", null)));
        assertEquals("bad_threshold", refusal(form("x", null, 3.0, null, null)));
        assertEquals(
                "bad_webhook",
                refusal(form(
                        "x",
                        null,
                        null,
                        null,
                        List.of(new StandingQueryForm.Webhook("http://intranet.example/hook", null)))));
        assertEquals(
                "bad_webhook",
                refusal(form(
                        "x",
                        null,
                        null,
                        null,
                        List.of(new StandingQueryForm.Webhook("http://127.0.0.1:8080/hook", null)))));
        assertEquals(
                "bad_webhook",
                refusal(form(
                        "x",
                        null,
                        null,
                        null,
                        List.of(new StandingQueryForm.Webhook("ftp://public.example/hook", null)))));
        assertEquals(
                "bad_cooldownSeconds",
                refusal(new StandingQueryForm(null, "x", null, null, null, null, -1.0, null, null)));
        assertEquals("bad_id", refusal(new StandingQueryForm("a/b", "x", null, null, null, null, null, null, null)));
    }

    @Test
    void shouldAllowPrivateWebhooksWhenTold() {
        WebhookTargetGuard open = new WebhookTargetGuard(true);
        assertTrue(open.refusal("http://127.0.0.1:8080/hook").isEmpty());
        assertTrue(
                new WebhookTargetGuard(false).refusal("http://[::1]:8080/hook").isPresent());
    }
}
