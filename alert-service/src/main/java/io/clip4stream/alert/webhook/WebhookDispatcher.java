package io.clip4stream.alert.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.alert.feed.AlertView;
import io.clip4stream.alert.stream.StandingQueryRegistry;
import io.clip4stream.runtime.kafka.KafkaClientSettings;
import io.clip4stream.schemas.avro.Alert;
import io.clip4stream.schemas.avro.AlertState;
import io.clip4stream.schemas.avro.WebhookDeadLetter;
import io.clip4stream.schemas.avro.WebhookTarget;
import io.clip4stream.schemas.topic.AlertTopics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers alerts to the webhooks of their standing query: an {@code opened} event when a moment opens (revision 0)
 * and a {@code closed} event when it closes, each signed; a delivery that fails every attempt becomes a
 * {@link WebhookDeadLetter} record.
 *
 * <p>Reads committed alerts in a consumer group and commits after the records it polled were delivered or
 * dead-lettered: at least once, so a crash between a delivery and its commit repeats it; receivers drop repeats by
 * the {@value WebhookSignature#DELIVERY_HEADER} header.
 */
public final class WebhookDispatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookDispatcher.class);

    private final KafkaConsumer<String, Alert> consumer;
    private final KafkaProducer<String, WebhookDeadLetter> deadLetters;
    private final AlertTopics topics;
    private final StandingQueryRegistry registry;
    private final WebhookSender sender;
    private final WebhookTargetGuard guard;
    private final ObjectMapper json;
    private final LongSupplier clock;
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * A dispatcher.
     *
     * @param kafka how to reach Kafka
     * @param groupId consumer group of the dispatchers
     * @param topics alerts (read) and dead letters (written)
     * @param registry where a query's webhooks are found
     * @param sender delivers one payload with retries
     * @param guard checked again at delivery: a host may have been re-pointed since the watch was created
     * @param json JSON writer
     * @param clock wall clock of dead-letter records
     */
    public WebhookDispatcher(
            KafkaClientSettings kafka,
            String groupId,
            AlertTopics topics,
            StandingQueryRegistry registry,
            WebhookSender sender,
            WebhookTargetGuard guard,
            ObjectMapper json,
            LongSupplier clock) {
        this.topics = topics;
        this.registry = registry;
        this.sender = sender;
        this.guard = guard;
        this.json = json;
        this.clock = clock;
        this.consumer = new KafkaConsumer<>(
                kafka.consumer(groupId + "-consumer", groupId),
                topics.alerts().keySerde().deserializer(),
                topics.alerts().valueSerde().deserializer());
        Map<String, Object> producer = kafka.producer(groupId + "-dead-letters");
        this.deadLetters = new KafkaProducer<>(
                producer,
                topics.webhookDeadLetters().keySerde().serializer(),
                topics.webhookDeadLetters().valueSerde().serializer());
        this.thread = Thread.ofPlatform().name("webhook-dispatcher").daemon().unstarted(this::run);
    }

    /** Starts delivering. */
    public WebhookDispatcher start() {
        thread.start();
        return this;
    }

    /** The event an alert record is delivered as, if any: {@code opened} or {@code closed}. */
    static Optional<String> event(Alert alert) {
        if (alert.getState() == AlertState.CLOSED) {
            return Optional.of("closed");
        }
        return alert.getRevision() == 0 ? Optional.of("opened") : Optional.empty();
    }

    /**
     * The JSON body of one delivery.
     *
     * @param event opened or closed
     * @param alert the alert
     */
    public record Payload(String event, AlertView alert) {}

    private void run() {
        try {
            consumer.subscribe(List.of(topics.alerts().name()));
            while (running) {
                var records = consumer.poll(Duration.ofMillis(200));
                for (ConsumerRecord<String, Alert> record : records) {
                    if (record.value() != null) {
                        dispatch(record.value());
                    }
                }
                if (!records.isEmpty()) {
                    consumer.commitSync();
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | ExecutionException e) {
            LOG.error("the webhook dispatcher stopped: alerts are no longer delivered to webhooks", e);
        } finally {
            consumer.close();
            deadLetters.close();
        }
    }

    private void dispatch(Alert alert) throws InterruptedException, ExecutionException {
        Optional<String> event = event(alert);
        if (event.isEmpty()) {
            return;
        }
        Optional<StandingQueryRegistry.Entry> query = registry.get(alert.getQueryId());
        if (query.isEmpty()) {
            return;
        }
        byte[] body;
        try {
            body = json.writeValueAsBytes(new Payload(event.get(), AlertView.of(alert)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write alert " + alert.getAlertId() + " as JSON", e);
        }
        String deliveryId = alert.getAlertId() + ":" + event.get();
        for (WebhookTarget target : query.get().record().getWebhooks()) {
            Optional<String> refusal = guard.refusal(target.getUrl());
            WebhookSender.Outcome outcome = refusal.isPresent()
                    ? new WebhookSender.Outcome(false, 0, refusal.get())
                    : sender.deliver(target.getUrl(), target.getSecret(), deliveryId, body);
            if (!outcome.delivered()) {
                LOG.warn(
                        "webhook {} refused alert {} after {} attempts: {}",
                        target.getUrl(),
                        deliveryId,
                        outcome.attempts(),
                        outcome.lastError());
                WebhookDeadLetter letter = WebhookDeadLetter.newBuilder()
                        .setAlertId(alert.getAlertId())
                        .setQueryId(alert.getQueryId())
                        .setUrl(target.getUrl())
                        .setAttempts(outcome.attempts())
                        .setLastError(outcome.lastError())
                        .setPayloadJson(new String(body, java.nio.charset.StandardCharsets.UTF_8))
                        .setFailedAtMillis(clock.getAsLong())
                        .build();
                deadLetters
                        .send(new ProducerRecord<>(topics.webhookDeadLetters().name(), alert.getAlertId(), letter))
                        .get();
            }
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
