package io.clip4stream.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.clip4stream.alert.match.Moment;
import io.clip4stream.alert.stream.TextEncoder;
import io.clip4stream.alert.webhook.WebhookSignature;
import io.clip4stream.runtime.kafka.KafkaClientSettings;
import io.clip4stream.schemas.avro.Alert;
import io.clip4stream.schemas.avro.AlertState;
import io.clip4stream.schemas.avro.ClipVector;
import io.clip4stream.schemas.avro.WebhookDeadLetter;
import io.clip4stream.schemas.topic.AlertTopics;
import io.clip4stream.schemas.topic.Topics;
import io.clip4stream.testkit.EmbeddedKafka;
import io.clip4stream.testkit.SampleRecords;
import io.clip4stream.testkit.TopicReader;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The alert service on the embedded broker: alerts, webhooks, dead letters, validation, and a restart mid-moment. */
class AlertServiceIT {
    @RegisterExtension
    static final EmbeddedKafka KAFKA = EmbeddedKafka.singleNode();

    private static final long CLIP_MICROS = 4_000_000L;
    private static final float[] RED = {1, 0, 0};
    private static final float[] BLUE = {0, 1, 0};
    private static final Duration WAIT = Duration.ofSeconds(60);

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient client = HttpClient.newHttpClient();
    private final List<AutoCloseable> open = new ArrayList<>();

    @TempDir
    Path stateRoot;

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : open.reversed()) {
            closeable.close();
        }
    }

    private static final class FixedEncoder implements TextEncoder {
        @Override
        public String modelId() {
            return "fake";
        }

        @Override
        public String modelVersion() {
            return "v1";
        }

        @Override
        public float[] encodeRaw(String text) {
            return text.contains("red") ? RED.clone() : BLUE.clone();
        }
    }

    private AlertConfig config(String prefix, String stateDir) {
        return new AlertConfig(
                KafkaClientSettings.of(KAFKA.bootstrapServers()),
                prefix,
                2,
                1,
                prefix + "app",
                stateRoot.resolve(stateDir),
                stateRoot.resolve("no-model"),
                0,
                "127.0.0.1",
                Set.of(),
                Duration.ofMillis(200),
                Duration.ofMillis(100),
                true,
                3,
                Duration.ofMillis(10),
                Duration.ofSeconds(5),
                100);
    }

    private AlertService start(AlertConfig config) {
        AlertService service = new AlertService(config, new FixedEncoder());
        service.start();
        return service;
    }

    /** A receiver on loopback recording each delivery; answers {@code status}. */
    private record Receiver(HttpServer server, List<Map.Entry<String, String>> deliveries, List<byte[]> bodies)
            implements AutoCloseable {
        static Receiver start(int status) throws IOException {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            List<Map.Entry<String, String>> deliveries = new CopyOnWriteArrayList<>();
            List<byte[]> bodies = new CopyOnWriteArrayList<>();
            server.createContext("/hook", exchange -> {
                byte[] body = exchange.getRequestBody().readAllBytes();
                deliveries.add(Map.entry(
                        exchange.getRequestHeaders().getFirst(WebhookSignature.DELIVERY_HEADER),
                        exchange.getRequestHeaders().getFirst(WebhookSignature.HEADER)));
                bodies.add(body);
                exchange.sendResponseHeaders(status, -1);
                exchange.close();
            });
            server.start();
            return new Receiver(server, deliveries, bodies);
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    private HttpResponse<String> post(AlertService service, String body) throws Exception {
        return client.send(
                HttpRequest.newBuilder(service.uri().resolve("/standing-queries"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(AlertService service, String path) throws Exception {
        return client.send(
                HttpRequest.newBuilder(service.uri().resolve(path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static ClipVector clip(String sourceId, int index, boolean red) {
        float[] v = red ? new float[] {1, 0.1f, 0} : new float[] {0, 0.2f, 1};
        double norm = Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
        List<Float> values = new ArrayList<>();
        for (float x : v) {
            values.add((float) (x / norm));
        }
        return ClipVector.newBuilder()
                .setClipId(sourceId + "-" + index)
                .setSourceId(sourceId)
                .setClipIndex(index)
                .setStartTimeMicros(index * CLIP_MICROS)
                .setEndTimeMicros((index + 1) * CLIP_MICROS)
                .setThumbnailJpeg(ByteBuffer.wrap(new byte[] {1}))
                .setModelId("fake")
                .setModelVersion("v1")
                .setAggregation("meanP")
                .setVector(values)
                .setFrameEmbeddings(List.of(values))
                .setIndexedAtMillis(System.currentTimeMillis())
                .build();
    }

    private KafkaProducer<String, ClipVector> clipProducer(Topics topics) {
        KafkaProducer<String, ClipVector> producer = new KafkaProducer<>(
                KafkaClientSettings.of(KAFKA.bootstrapServers()).producer("it-clips"),
                topics.clipVectors().keySerde().serializer(),
                topics.clipVectors().valueSerde().serializer());
        open.add(producer);
        return producer;
    }

    private void send(
            KafkaProducer<String, ClipVector> producer,
            Topics topics,
            String source,
            int from,
            int to,
            java.util.function.IntPredicate red)
            throws Exception {
        for (int i = from; i < to; i++) {
            ClipVector clip = clip(source, i, red.test(i));
            producer.send(new ProducerRecord<>(topics.clipVectors().name(), clip.getClipId(), clip))
                    .get();
        }
    }

    private void registerSource(String prefix, String sourceId) throws Exception {
        Topics topics = Topics.withPrefix(prefix, 2);
        try (var producer = new KafkaProducer<>(
                KafkaClientSettings.of(KAFKA.bootstrapServers()).producer("it-status"),
                topics.ingestStatus().keySerde().serializer(),
                topics.ingestStatus().valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(
                            topics.ingestStatus().name(), sourceId, SampleRecords.ingestStatus(sourceId)))
                    .get();
        }
    }

    private static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    @Test
    void shouldAlertOncePerMomentDeliverSignedWebhooksAndDeadLetterAFailingReceiver() throws Exception {
        String prefix = "it1.";
        Topics topics = Topics.withPrefix(prefix, 2);
        AlertTopics alertTopics = AlertTopics.withPrefix(prefix, 2);
        AlertService service = start(config(prefix, "a"));
        open.add(service);
        registerSource(prefix, "cam-1");
        Receiver good = Receiver.start(200);
        Receiver bad = Receiver.start(500);
        open.add(good);
        open.add(bad);
        await("the source to be known", () -> {
            try {
                return post(service, "{\"text\":\"probe\",\"sources\":[\"cam-1\"],\"id\":\"probe\"}")
                                .statusCode()
                        == 201;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        HttpResponse<String> created = post(
                service,
                "{\"id\":\"red\",\"text\":\"a red circle\",\"minScore\":0.8,\"gapSeconds\":6,\"webhooks\":[{\"url\":\""
                        + good.url() + "\",\"secret\":\"s3cret\"},{\"url\":\"" + bad.url() + "\"}]}");
        assertEquals(201, created.statusCode(), created.body());
        JsonNode secrets = json.readTree(created.body()).get("webhookSecrets");
        assertEquals("s3cret", secrets.get(0).get("secret").asText());
        assertTrue(secrets.get(1).get("secret").asText().length() >= 32, "a secret is generated");

        // A Server-Sent Events client, connected before any alert exists, sees every revision of both alerts in order.
        List<String> streamed = new CopyOnWriteArrayList<>();
        HttpResponse<java.util.stream.Stream<String>> stream = client.send(
                HttpRequest.newBuilder(service.uri().resolve("/alerts/stream")).build(),
                HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, stream.statusCode());
        Thread reader0 = Thread.ofVirtual()
                .start(() -> stream.body().forEach(line -> {
                    if (line.startsWith("id: ")) {
                        streamed.add(line.substring(4));
                    }
                }));

        KafkaProducer<String, ClipVector> clips = clipProducer(topics);
        send(clips, topics, "cam-1", 0, 14, i -> (i >= 2 && i <= 4) || (i >= 9 && i <= 10));

        TopicReader reader = new TopicReader(KAFKA.bootstrapServers());
        List<ConsumerRecord<String, Alert>> records = reader.readAtLeast(alertTopics.alerts(), 7, WAIT).stream()
                .filter(r -> r.value().getQueryId().equals("red"))
                .toList();
        List<String> ids = records.stream().map(ConsumerRecord::key).distinct().toList();
        assertEquals(
                List.of(
                        Moment.alertId("red", "cam-1", 2 * CLIP_MICROS),
                        Moment.alertId("red", "cam-1", 9 * CLIP_MICROS)),
                ids);
        assertEquals(7, records.size(), "4 revisions of the first moment, 3 of the second");
        await("seven alert events on the stream", () -> streamed.size() >= 7);
        assertEquals(
                List.of(ids.get(0) + ":0", ids.get(0) + ":1", ids.get(0) + ":2", ids.get(0) + ":3"),
                streamed.stream().filter(e -> e.startsWith(ids.get(0))).toList(),
                "the first moment's revisions, each once, in order");
        assertEquals(
                List.of(ids.get(1) + ":0", ids.get(1) + ":1", ids.get(1) + ":2"),
                streamed.stream().filter(e -> e.startsWith(ids.get(1))).toList());
        assertEquals(7, streamed.size(), streamed.toString());
        stream.body().close();
        reader0.interrupt();

        await("four deliveries to the good receiver", () -> good.deliveries().size() >= 4);
        // Each alert arrives once opened and once closed, each with a valid signature.
        Set<String> expected =
                Set.of(ids.get(0) + ":opened", ids.get(0) + ":closed", ids.get(1) + ":opened", ids.get(1) + ":closed");
        await(
                "the dead letters",
                () -> reader.readAtLeast(alertTopics.webhookDeadLetters(), 4, Duration.ofMillis(500))
                                .size()
                        >= 4);
        assertEquals(expected, good.deliveries().stream().map(Map.Entry::getKey).collect(Collectors.toSet()));
        assertEquals(4, good.deliveries().size(), "no delivery twice");
        for (int i = 0; i < good.bodies().size(); i++) {
            assertTrue(WebhookSignature.verify(
                    "s3cret", good.bodies().get(i), good.deliveries().get(i).getValue()));
            assertTrue(!WebhookSignature.verify(
                    "other", good.bodies().get(i), good.deliveries().get(i).getValue()));
        }
        // The failing receiver got every attempt of every delivery, then each became a dead letter.
        assertEquals(4 * 3, bad.deliveries().size());
        List<ConsumerRecord<String, WebhookDeadLetter>> letters =
                reader.readAtLeast(alertTopics.webhookDeadLetters(), 4, WAIT);
        assertEquals(4, letters.size());
        letters.forEach(letter -> {
            assertEquals(3, letter.value().getAttempts());
            assertEquals(bad.url(), letter.value().getUrl());
            assertEquals("HTTP 500", letter.value().getLastError());
        });

        await("GET /alerts to show both", () -> {
            try {
                return json.readTree(get(service, "/alerts").body())
                                .get("alerts")
                                .size()
                        == 2;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await("calibration to be written", () -> {
            try {
                JsonNode detail =
                        json.readTree(get(service, "/standing-queries/red").body());
                return detail.get("calibration").get("samples").asLong() == 14;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        JsonNode detail = json.readTree(get(service, "/standing-queries/red").body());
        assertEquals(0.8, detail.get("calibration").get("threshold").asDouble(), 1e-9);
        assertEquals(2, detail.get("calibration").get("alertsFired").asLong());
    }

    @Test
    void shouldRefuseBadStandingQueriesWithAReason() throws Exception {
        String prefix = "it2.";
        AlertConfig strict = new AlertConfig(
                KafkaClientSettings.of(KAFKA.bootstrapServers()),
                prefix,
                2,
                1,
                prefix + "app",
                stateRoot.resolve("b"),
                stateRoot.resolve("no-model"),
                0,
                "127.0.0.1",
                Set.of(),
                Duration.ofMillis(200),
                Duration.ofMillis(100),
                false,
                3,
                Duration.ofMillis(10),
                Duration.ofSeconds(5),
                100);
        AlertService service = new AlertService(strict, new FixedEncoder());
        service.start();
        open.add(service);
        Map<String, String> cases = Map.of(
                "{\"text\":\"  \"}", "empty_text",
                "{\"text\":\"a cat\",\"sources\":[\"nope\"]}", "unknown_source",
                "{\"text\":\"a cat\",\"rate\":\"-1/day\"}", "bad_rate",
                "{\"text\":\"a cat\",\"webhooks\":[{\"url\":\"http://127.0.0.1:9/x\"}]}", "bad_webhook",
                "{\"text\":\"a cat\",\"webhooks\":[{\"url\":\"http://10.0.0.1/x\"}]}", "bad_webhook");
        for (Map.Entry<String, String> entry : cases.entrySet()) {
            HttpResponse<String> response = post(service, entry.getKey());
            assertEquals(400, response.statusCode(), entry.getKey() + " -> " + response.body());
            assertTrue(response.body().contains(entry.getValue()), response.body());
        }
        assertEquals(404, get(service, "/standing-queries/none").statusCode());
    }

    @Test
    void shouldNeitherLoseNorDuplicateAnAlertWhenRestartedMidMoment() throws Exception {
        String prefix = "it3.";
        Topics topics = Topics.withPrefix(prefix, 2);
        AlertTopics alertTopics = AlertTopics.withPrefix(prefix, 2);
        AlertService first = start(config(prefix, "first"));
        HttpResponse<String> created =
                post(first, "{\"id\":\"red\",\"text\":\"a red circle\",\"minScore\":0.8,\"gapSeconds\":6}");
        assertEquals(201, created.statusCode(), created.body());
        KafkaProducer<String, ClipVector> clips = clipProducer(topics);
        java.util.function.IntPredicate red = i -> i >= 2 && i <= 5;
        send(clips, topics, "cam-1", 0, 4, red); // the moment opens at clip 2 and grows with clip 3
        TopicReader reader = new TopicReader(KAFKA.bootstrapServers());
        assertEquals(2, reader.readAtLeast(alertTopics.alerts(), 2, WAIT).size());
        first.close();

        // A fresh state directory: the second instance rebuilds the open moment from the changelog alone.
        AlertService second = start(config(prefix, "second"));
        open.add(second);
        send(clips, topics, "cam-1", 4, 10, red);
        List<ConsumerRecord<String, Alert>> records = reader.readAtLeast(alertTopics.alerts(), 5, WAIT);
        assertEquals(
                Set.of(Moment.alertId("red", "cam-1", 2 * CLIP_MICROS)),
                records.stream().map(ConsumerRecord::key).collect(Collectors.toSet()),
                "one moment, one alert id");
        assertEquals(
                List.of(0, 1, 2, 3, 4),
                records.stream().map(r -> r.value().getRevision()).toList(),
                "every revision once, in order");
        Alert last = records.getLast().value();
        assertEquals(AlertState.CLOSED, last.getState());
        assertEquals(4, last.getClips());
        assertEquals(2 * CLIP_MICROS, last.getStartTimeMicros());
        assertEquals(6 * CLIP_MICROS, last.getEndTimeMicros());
        Thread.sleep(500); // nothing more may come: read again with room for a stray duplicate
        assertEquals(
                5,
                reader.readAtLeast(alertTopics.alerts(), 6, Duration.ofSeconds(2))
                        .size());
    }
}
