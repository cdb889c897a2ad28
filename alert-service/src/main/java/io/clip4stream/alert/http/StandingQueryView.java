package io.clip4stream.alert.http;

import io.clip4stream.schemas.avro.AbsoluteThreshold;
import io.clip4stream.schemas.avro.RateThreshold;
import io.clip4stream.schemas.avro.StandingQuery;
import io.clip4stream.schemas.avro.WebhookTarget;
import java.util.List;

/**
 * A standing query as the API shows it: webhook secrets are never shown after creation.
 *
 * @param id query id
 * @param text query text
 * @param sources sources watched
 * @param tags tags watched
 * @param minScore absolute threshold, if the rule is one
 * @param alertsPerDay calibrated rate, if the rule is one
 * @param cooldownSeconds cool-down per source
 * @param gapSeconds gap that closes a moment
 * @param webhooks webhook URLs
 * @param modelVersion model version of the stored embedding
 * @param createdAtMillis creation time
 * @param updatedAtMillis last update
 */
public record StandingQueryView(
        String id,
        String text,
        List<String> sources,
        List<String> tags,
        Double minScore,
        Double alertsPerDay,
        double cooldownSeconds,
        double gapSeconds,
        List<String> webhooks,
        String modelVersion,
        long createdAtMillis,
        long updatedAtMillis) {

    /** The view of {@code query}. */
    public static StandingQueryView of(StandingQuery query) {
        Double minScore = query.getThreshold() instanceof AbsoluteThreshold a ? a.getMinScore() : null;
        Double rate = query.getThreshold() instanceof RateThreshold r ? r.getAlertsPerDay() : null;
        return new StandingQueryView(
                query.getQueryId(),
                query.getText(),
                List.copyOf(query.getSourceIds()),
                List.copyOf(query.getTags()),
                minScore,
                rate,
                query.getCooldownMillis() / 1e3,
                query.getGapMillis() / 1e3,
                query.getWebhooks().stream().map(WebhookTarget::getUrl).toList(),
                query.getModelVersion(),
                query.getCreatedAtMillis(),
                query.getUpdatedAtMillis());
    }
}
