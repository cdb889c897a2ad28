package io.clip4stream.alert;

import io.clip4stream.alert.webhook.WebhookTargetGuard;
import io.clip4stream.runtime.config.Env;
import io.clip4stream.runtime.config.ModelSettings;
import io.clip4stream.runtime.config.Setting;
import io.clip4stream.runtime.config.TopicSettings;
import io.clip4stream.runtime.http.HttpLimits;
import io.clip4stream.runtime.kafka.KafkaClientSettings;
import io.clip4stream.schemas.topic.AlertTopics;
import io.clip4stream.schemas.topic.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Settings of the alert service; every field comes from one {@link Setting} (name, default, description).
 *
 * @param kafka how to reach Kafka
 * @param topicPrefix prefix of every topic name
 * @param partitions partitions of created topics
 * @param replicationFactor replication factor of topics created at start-up
 * @param applicationId Kafka Streams application id (consumer group, changelog prefix)
 * @param stateDir where the stream tasks keep their state
 * @param modelDir the model whose text tower encodes standing queries
 * @param httpPort port of the standing-query and alert API
 * @param bindAddress address the API listens on
 * @param apiKeys API keys required on the API; empty disables them
 * @param calibrationFlush how often per-query calibration is written to its store
 * @param streamsCommitInterval Kafka Streams commit interval (exactly-once transactions)
 * @param allowPrivateWebhooks whether webhooks may target loopback and private addresses
 * @param webhookAttempts attempts per webhook delivery before a dead-letter record
 * @param webhookBackoff wait before the first retry; doubled on each further one
 * @param webhookTimeout timeout of one webhook request
 * @param recentAlerts how many recent alerts {@code GET /alerts} keeps
 * @param http the HTTP server's timeouts and limits (the shared {@code CLIP4S_HTTP_*} settings)
 */
public record AlertConfig(
        KafkaClientSettings kafka,
        String topicPrefix,
        int partitions,
        int replicationFactor,
        String applicationId,
        Path stateDir,
        Path modelDir,
        int httpPort,
        String bindAddress,
        Set<String> apiKeys,
        Duration calibrationFlush,
        Duration streamsCommitInterval,
        boolean allowPrivateWebhooks,
        int webhookAttempts,
        Duration webhookBackoff,
        Duration webhookTimeout,
        int recentAlerts,
        HttpLimits http) {

    /** Application id. */
    public static final Setting<String> APPLICATION_ID = Setting.string(
            "CLIP4S_ALERT_APPLICATION_ID",
            "clip4stream-alert",
            "Kafka Streams application id of the alert service (consumer group and changelog prefix).");

    /** State directory. */
    public static final Setting<Path> STATE_DIR = Setting.path(
            "CLIP4S_ALERT_STATE_DIR", ".clip4stream/alert-state", "Where the alert service keeps its stream state.");

    /** HTTP port. */
    public static final Setting<Integer> HTTP_PORT = Setting.integer(
            "CLIP4S_ALERT_HTTP_PORT", 8085, 0, 65535, "Port of /standing-queries, /alerts, /health and /metrics.");

    /** Bind address. */
    public static final Setting<String> BIND_ADDRESS =
            Setting.string("CLIP4S_ALERT_BIND_ADDRESS", "0.0.0.0", "Address the alert service listens on.");

    /** API keys. */
    public static final Setting<List<String>> API_KEYS =
            Setting.list("CLIP4S_ALERT_API_KEYS", "", "Comma-separated API keys of the alert API; empty: open.");

    /** Calibration flush interval. */
    public static final Setting<Duration> CALIBRATION_FLUSH_MS = Setting.millis(
            "CLIP4S_ALERT_CALIBRATION_FLUSH_MS",
            10_000,
            "How often per-query score calibration is written to its changelogged store.");

    /** Streams commit interval. */
    public static final Setting<Duration> STREAMS_COMMIT_MS = Setting.millis(
            "CLIP4S_ALERT_STREAMS_COMMIT_MS",
            100,
            "Kafka Streams commit interval: an alert is visible to read_committed consumers after its commit.");

    /** Private webhook targets. */
    public static final Setting<Boolean> ALLOW_PRIVATE_WEBHOOKS = Setting.bool(
            WebhookTargetGuard.ALLOW_SETTING,
            false,
            "Allow webhooks to loopback, private and link-local addresses (tests, trusted networks).");

    /** Webhook attempts. */
    public static final Setting<Integer> WEBHOOK_ATTEMPTS = Setting.integer(
            "CLIP4S_ALERT_WEBHOOK_ATTEMPTS", 5, 1, 100, "Attempts per webhook delivery before a dead-letter record.");

    /** Webhook backoff. */
    public static final Setting<Duration> WEBHOOK_BACKOFF_MS = Setting.millis(
            "CLIP4S_ALERT_WEBHOOK_BACKOFF_MS",
            500,
            "Wait before the first webhook retry; doubled on each further one.");

    /** Webhook timeout. */
    public static final Setting<Duration> WEBHOOK_TIMEOUT_MS =
            Setting.millis("CLIP4S_ALERT_WEBHOOK_TIMEOUT_MS", 5_000, "Timeout of one webhook request.");

    /** Recent alerts kept. */
    public static final Setting<Integer> RECENT_ALERTS = Setting.integer(
            "CLIP4S_ALERT_RECENT", 1_000, 1, 1_000_000, "How many recent alerts GET /alerts can return.");

    /** Every setting, in documentation order. */
    public static final List<Setting<?>> SETTINGS = List.of(
            TopicSettings.PREFIX,
            TopicSettings.PARTITIONS,
            TopicSettings.REPLICATION_FACTOR,
            APPLICATION_ID,
            STATE_DIR,
            ModelSettings.DIRECTORY,
            HTTP_PORT,
            BIND_ADDRESS,
            API_KEYS,
            CALIBRATION_FLUSH_MS,
            STREAMS_COMMIT_MS,
            ALLOW_PRIVATE_WEBHOOKS,
            WEBHOOK_ATTEMPTS,
            WEBHOOK_BACKOFF_MS,
            WEBHOOK_TIMEOUT_MS,
            RECENT_ALERTS,
            HttpLimits.READ_TIMEOUT_MS,
            HttpLimits.IDLE_TIMEOUT_MS,
            HttpLimits.MAX_HEADER_BYTES,
            HttpLimits.MAX_CONCURRENT_REQUESTS,
            HttpLimits.DRAIN_TIMEOUT_MS);

    /** Validates the settings. */
    public AlertConfig {
        Objects.requireNonNull(kafka, "kafka");
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(topicPrefix, "topicPrefix");
        Objects.requireNonNull(applicationId, "applicationId");
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(modelDir, "modelDir");
        Objects.requireNonNull(bindAddress, "bindAddress");
        apiKeys = Set.copyOf(apiKeys);
        Objects.requireNonNull(calibrationFlush, "calibrationFlush");
        Objects.requireNonNull(streamsCommitInterval, "streamsCommitInterval");
        Objects.requireNonNull(webhookBackoff, "webhookBackoff");
        Objects.requireNonNull(webhookTimeout, "webhookTimeout");
        if (partitions < 1 || webhookAttempts < 1 || recentAlerts < 1) {
            throw new IllegalArgumentException("invalid alert config: partitions " + partitions + ", webhook attempts "
                    + webhookAttempts + ", recent alerts " + recentAlerts);
        }
    }

    /** Reads every setting from {@code env}. */
    public static AlertConfig fromEnv(Env env) {
        return new AlertConfig(
                KafkaClientSettings.fromEnv(env),
                env.get(TopicSettings.PREFIX),
                env.get(TopicSettings.PARTITIONS),
                env.get(TopicSettings.REPLICATION_FACTOR),
                env.get(APPLICATION_ID),
                env.get(STATE_DIR),
                env.get(ModelSettings.DIRECTORY),
                env.get(HTTP_PORT),
                env.get(BIND_ADDRESS),
                Set.copyOf(env.get(API_KEYS)),
                env.get(CALIBRATION_FLUSH_MS),
                env.get(STREAMS_COMMIT_MS),
                env.get(ALLOW_PRIVATE_WEBHOOKS),
                env.get(WEBHOOK_ATTEMPTS),
                env.get(WEBHOOK_BACKOFF_MS),
                env.get(WEBHOOK_TIMEOUT_MS),
                env.get(RECENT_ALERTS),
                HttpLimits.fromEnv(env));
    }

    /** A configuration with the default HTTP limits. */
    public AlertConfig(
            KafkaClientSettings kafka,
            String topicPrefix,
            int partitions,
            int replicationFactor,
            String applicationId,
            Path stateDir,
            Path modelDir,
            int httpPort,
            String bindAddress,
            Set<String> apiKeys,
            Duration calibrationFlush,
            Duration streamsCommitInterval,
            boolean allowPrivateWebhooks,
            int webhookAttempts,
            Duration webhookBackoff,
            Duration webhookTimeout,
            int recentAlerts) {
        this(
                kafka,
                topicPrefix,
                partitions,
                replicationFactor,
                applicationId,
                stateDir,
                modelDir,
                httpPort,
                bindAddress,
                apiKeys,
                calibrationFlush,
                streamsCommitInterval,
                allowPrivateWebhooks,
                webhookAttempts,
                webhookBackoff,
                webhookTimeout,
                recentAlerts,
                HttpLimits.DEFAULTS);
    }

    /** The pipeline topics under the configured prefix. */
    public Topics topics() {
        return Topics.withPrefix(topicPrefix, partitions);
    }

    /** The standing-query and alert topics under the configured prefix. */
    public AlertTopics alertTopics() {
        return AlertTopics.withPrefix(topicPrefix, partitions);
    }
}
