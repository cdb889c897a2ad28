package io.clip4stream.alert.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.alert.match.Moment;
import io.clip4stream.alert.match.TightStage;
import io.clip4stream.schemas.avro.Alert;
import io.clip4stream.schemas.avro.AlertState;
import io.clip4stream.schemas.avro.ClipVector;
import io.clip4stream.schemas.avro.StandingQuery;
import io.clip4stream.schemas.topic.AlertTopics;
import io.clip4stream.schemas.topic.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AlertTopologyTest {
    private static final float[] RED = {1, 0, 0};
    private static final float[] BLUE = {0, 1, 0};

    private final Topics topics = Topics.withPrefix("t.", 2);
    private final AlertTopics alertTopics = AlertTopics.withPrefix("t.", 2);
    private FakeTextEncoder encoder;
    private StandingQueryRegistry registry;
    private TopologyTestDriver driver;
    private TestInputTopic<String, StandingQuery> queries;
    private TestInputTopic<String, ClipVector> clips;
    private TestOutputTopic<String, Alert> alerts;

    @BeforeEach
    void start() {
        start(new FakeTextEncoder("v1", Map.of("red circle", RED, "blue square", BLUE)));
    }

    private void start(FakeTextEncoder with) {
        if (driver != null) {
            driver.close();
        }
        encoder = with;
        registry = new StandingQueryRegistry(encoder);
        StreamsBuilder builder = new StreamsBuilder();
        AlertTopology.build(
                builder, topics, alertTopics, registry, Duration.ofSeconds(1), () -> 42L, MatchObserver.none());
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "alert-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(builder.build(), props);
        queries = driver.createInputTopic(
                alertTopics.standingQueries().name(),
                alertTopics.standingQueries().keySerde().serializer(),
                alertTopics.standingQueries().valueSerde().serializer());
        clips = driver.createInputTopic(
                topics.clipVectors().name(),
                topics.clipVectors().keySerde().serializer(),
                topics.clipVectors().valueSerde().serializer());
        alerts = driver.createOutputTopic(
                alertTopics.alerts().name(),
                alertTopics.alerts().keySerde().deserializer(),
                alertTopics.alerts().valueSerde().deserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private void send(ClipVector clip) {
        clips.pipeInput(clip.getClipId(), clip);
    }

    @Test
    void shouldFireOneAlertPerMomentOfTheWatchedSceneAndNoneForAnother() {
        queries.pipeInput("red", AlertRecords.query("red", "red circle", 0.8, List.of()));
        queries.pipeInput("blue", AlertRecords.query("blue", "blue square", 0.8, List.of("cam-2")));
        // cam-1: red for clips 2-4, nothing, red again at 9-10 (past the 6 s gap: a second moment).
        for (int i = 0; i < 14; i++) {
            boolean red = (i >= 2 && i <= 4) || (i >= 9 && i <= 10);
            send(AlertRecords.clip("cam-1", i, red ? new float[] {1, 0.1f, 0} : new float[] {0, 0.2f, 1}));
        }
        List<Alert> fired = alerts.readValuesToList();
        assertTrue(fired.stream().allMatch(a -> a.getQueryId().equals("red")), "blue watches cam-2 only");
        List<String> ids = fired.stream().map(Alert::getAlertId).distinct().toList();
        assertEquals(
                List.of(
                        Moment.alertId("red", "cam-1", 2 * AlertRecords.CLIP_MICROS),
                        Moment.alertId("red", "cam-1", 9 * AlertRecords.CLIP_MICROS)),
                ids);
        Alert first = fired.stream()
                .filter(a -> a.getAlertId().equals(ids.get(0)) && a.getState() == AlertState.CLOSED)
                .findFirst()
                .orElseThrow();
        assertEquals(2 * AlertRecords.CLIP_MICROS, first.getStartTimeMicros());
        assertEquals(5 * AlertRecords.CLIP_MICROS, first.getEndTimeMicros());
        assertEquals(3, first.getClips());
        assertEquals("red circle", first.getQueryText());
        assertTrue(fired.stream().allMatch(a -> a.getScoreKind().equals(ClipMatcher.FIRST_STAGE)), "no tight head");
        // Revisions of one alert: opened (0), extended twice, closed.
        assertEquals(
                List.of(0, 1, 2, 3),
                fired.stream()
                        .filter(a -> a.getAlertId().equals(ids.get(0)))
                        .map(Alert::getRevision)
                        .toList());
        assertEquals(2, encoder.calls(), "each text encoded once");
    }

    @Test
    void shouldUseAStoredEmbeddingOfItsModelVersionAndReEncodeAnotherVersions() {
        StandingQuery stored = StandingQuery.newBuilder(AlertRecords.query("q", "red circle", 0.8, List.of()))
                .setModelVersion("v1")
                .setTextEmbedding(List.of(0f, 0f, 1f))
                .build();
        queries.pipeInput("q", stored);
        assertEquals(0, encoder.calls());
        send(AlertRecords.clip("cam-1", 0, 0, 0, 1));
        assertEquals(1, alerts.readValuesToList().size(), "the stored vector, not the text, was matched");

        queries.pipeInput(
                "q", StandingQuery.newBuilder(stored).setModelVersion("v0").build());
        assertEquals(1, encoder.calls());
        assertTrue(registry.encodedHere("q"));
    }

    @Test
    void shouldMatchASourcesClipsInClipOrderWhateverOrderTheyArriveIn() {
        queries.pipeInput("red", AlertRecords.query("red", "red circle", 0.8, List.of()));
        int[] arrival = {0, 1, 3, 2, 5, 4, 7, 6, 8, 10, 9, 11, 13, 12};
        for (int i : arrival) {
            boolean red = (i >= 2 && i <= 4) || (i >= 9 && i <= 10);
            send(AlertRecords.clip("cam-1", i, red ? new float[] {1, 0.1f, 0} : new float[] {0, 0.2f, 1}));
        }
        List<Alert> fired = alerts.readValuesToList();
        assertEquals(
                List.of(
                        Moment.alertId("red", "cam-1", 2 * AlertRecords.CLIP_MICROS),
                        Moment.alertId("red", "cam-1", 9 * AlertRecords.CLIP_MICROS)),
                fired.stream().map(Alert::getAlertId).distinct().toList());
        assertEquals(7, fired.size());
        assertEquals(3, fired.get(3).getClips());
        assertEquals(AlertState.CLOSED, fired.get(3).getState());
    }

    @Test
    void shouldCloseTheMomentOfASourceThatWentQuietInWallTime() {
        queries.pipeInput("red", AlertRecords.query("red", "red circle", 0.8, List.of()));
        send(AlertRecords.clip("cam-1", 0, 1, 0, 0));
        assertEquals(AlertState.OPEN, alerts.readValue().getState());
        driver.advanceWallClockTime(Duration.ofSeconds(30));
        assertTrue(alerts.isEmpty(), "the 6 s gap and the 60 s slack have not passed");
        driver.advanceWallClockTime(Duration.ofSeconds(40));
        Alert closed = alerts.readValue();
        assertEquals(AlertState.CLOSED, closed.getState());
        assertEquals(Moment.alertId("red", "cam-1", 0), closed.getAlertId());
        driver.advanceWallClockTime(Duration.ofSeconds(10));
        assertTrue(alerts.isEmpty(), "closed once");
    }

    @Test
    void shouldStopMatchingADeletedQuery() {
        queries.pipeInput("red", AlertRecords.query("red", "red circle", 0.8, List.of()));
        queries.pipeInput("red", (StandingQuery) null);
        send(AlertRecords.clip("cam-1", 0, 1, 0, 0));
        assertTrue(alerts.isEmpty());
        assertTrue(registry.all().isEmpty());
    }

    /** A tight head whose logit is {@code logitOf(frame's second value)}, recording what it scored. */
    private static final class FakeTight implements TightScorer {
        final List<float[]> scoredTexts = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public TightStage stage() {
            return new TightStage(10, 0.05);
        }

        @Override
        public float[] logits(List<float[]> rawTexts, float[][] frames) {
            scoredTexts.addAll(rawTexts);
            float[] out = new float[rawTexts.size()];
            // A clip whose vector leans to green (second value) is what the tight head "sees" as not matching.
            java.util.Arrays.fill(out, frames[0][1] > 0.2f ? -3f : 1f);
            return out;
        }
    }

    @Test
    void shouldDecideOnTheFusedTightScoreForCandidatesWhenTheModelHasATightHead() {
        FakeTight tight = new FakeTight();
        start(new FakeTextEncoder("v1", Map.of("red circle", RED), java.util.Optional.of(tight)));
        queries.pipeInput("red", AlertRecords.query("red", "red circle", 0.8, List.of()));
        // Clip 0: cosine 0.78, under the threshold but within the pre-filter margin; the tight logit +1 lifts it to
        // 0.78 + 1/10 = 0.88. Clip 1: cosine 0.93, over the threshold on its own; the tight logit -3 sinks it to
        // 0.63. Clip 2: cosine 0 (blue), not a candidate: never re-scored.
        float lifted = 0.78f;
        float sunk = 0.93f;
        send(AlertRecords.clip("cam-1", 0, lifted, 0, (float) Math.sqrt(1 - lifted * lifted)));
        send(AlertRecords.clip("cam-2", 0, sunk, (float) Math.sqrt(1 - sunk * sunk), 0));
        send(AlertRecords.clip("cam-3", 0, 0, 1, 0));

        List<Alert> fired = alerts.readValuesToList();
        assertEquals(1, fired.size(), fired.toString());
        Alert alert = fired.getFirst();
        assertEquals("cam-1", alert.getSourceId());
        assertEquals(ClipMatcher.FUSED, alert.getScoreKind());
        assertEquals(0.88, alert.getBestScore(), 1e-4);
        assertEquals(2, tight.scoredTexts.size(), "cam-3's clip is under the pre-filter");
        assertTrue(java.util.Arrays.equals(RED, tight.scoredTexts.getFirst()), "the raw text embedding is scored");
    }

    @Test
    void packedFramesReachTheTightHeadAsTheyWereBeforePacking() {
        FakeTight tight = new FakeTight();
        start(new FakeTextEncoder("v1", Map.of("red circle", RED), java.util.Optional.of(tight)));
        queries.pipeInput("red", AlertRecords.query("red", "red circle", 0.8, List.of()));
        float lifted = 0.78f;
        float sunk = 0.93f;
        // The same clips as above with int8 frames: the fake head reads the second value of the first frame (0 or
        // about 0.37), far from its 0.2 cut even after quantization, so the same clip fires with the same score.
        send(io.clip4stream.schemas.frames.ClipFrames.withEncoding(
                AlertRecords.clip("cam-1", 0, lifted, 0, (float) Math.sqrt(1 - lifted * lifted)),
                io.clip4stream.schemas.frames.FrameEncoding.INT8));
        send(io.clip4stream.schemas.frames.ClipFrames.withEncoding(
                AlertRecords.clip("cam-2", 0, sunk, (float) Math.sqrt(1 - sunk * sunk), 0),
                io.clip4stream.schemas.frames.FrameEncoding.INT8));

        List<Alert> fired = alerts.readValuesToList();
        assertEquals(1, fired.size(), fired.toString());
        assertEquals("cam-1", fired.getFirst().getSourceId());
        assertEquals(ClipMatcher.FUSED, fired.getFirst().getScoreKind());
        assertEquals(0.88, fired.getFirst().getBestScore(), 1e-4);
        assertEquals(2, tight.scoredTexts.size(), "both packed clips had frames to score");
    }

    @Test
    void shouldDecideOnTheFirstStageWhenTheModelHasNoTightHead() {
        queries.pipeInput("red", AlertRecords.query("red", "red circle", 0.8, List.of()));
        float below = 0.78f;
        float above = 0.93f;
        send(AlertRecords.clip("cam-1", 0, below, (float) Math.sqrt(1 - below * below), 0));
        send(AlertRecords.clip("cam-2", 0, above, (float) Math.sqrt(1 - above * above), 0));

        List<Alert> fired = alerts.readValuesToList();
        assertEquals(1, fired.size(), fired.toString());
        assertEquals("cam-2", fired.getFirst().getSourceId());
        assertEquals(ClipMatcher.FIRST_STAGE, fired.getFirst().getScoreKind());
        assertEquals(0.93, fired.getFirst().getBestScore(), 1e-4);
    }
}
