package io.clip4stream.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.runtime.kafka.ModelCatalog;
import io.clip4stream.runtime.kafka.ModelStatus;
import io.clip4stream.schemas.avro.ModelVersion;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which model encodes live frames and which one each re-encode version, as the catalog changes; no weights. */
class EncoderModelsTest {

    private final List<String> events = new ArrayList<>();
    private final FakeModels.Visual configured =
            new FakeModels.Visual(FakeModels.info("a", 2), "sha256:aaa", 1f, events);
    private final Map<String, FakeModels.Visual> directories = new HashMap<>();
    private final EncoderModels models = new EncoderModels(configured, location -> {
        events.add("loaded " + location);
        FakeModels.Visual model = directories.get(location);
        if (model == null) {
            throw new IllegalStateException("no model directory at " + location);
        }
        return model;
    });

    private long clock;

    private ModelVersion record(String version, String fingerprint, ModelStatus status, String location) {
        return ModelVersion.newBuilder()
                .setModelVersion(version)
                .setModelId("tiny")
                .setEmbedDim(4)
                .setResizeSize(2)
                .setInterpolation("bicubic")
                .setCropSize(2)
                .setNormalize("clip")
                .setHead("meanP")
                .setRecordedBy("test")
                .setRecordedAtMillis(++clock)
                .setVisualFingerprint(fingerprint)
                .setStatus(status == null ? null : status.wireName())
                .setWeightsLocation(location)
                .build();
    }

    private FakeModels.Visual directory(String location, String version, String fingerprint, float tag) {
        FakeModels.Visual model = new FakeModels.Visual(FakeModels.info(version, 3), fingerprint, tag, events);
        directories.put(location, model);
        return model;
    }

    private ModelCatalog servedAAndDeployedB() {
        return ModelCatalog.EMPTY
                .with(record("a", "sha256:aaa", null, null))
                .with(record("b", "sha256:bbb", ModelStatus.DEPLOYED, "/models/b"));
    }

    @Test
    void withoutACatalogEveryLiveFrameUsesTheConfiguredModel() {
        assertEquals("a", models.active().version());
        assertSame(models.active(), models.forVersion("a").orElseThrow());
        assertTrue(models.forVersion("b").isEmpty());
    }

    @Test
    void loadsADeployedVersionOfAnotherEncoderOnceAndServesItsReencodeFrames() {
        directory("/models/b", "b", "sha256:bbb", 2f);
        models.update(servedAAndDeployedB());
        models.update(servedAAndDeployedB().with(record("x", null, null, null)));

        EncoderModel b = models.forVersion("b").orElseThrow();
        assertEquals("b", b.version());
        assertEquals(3, b.encoding().imageSize(), "b's own frame preparation");
        assertEquals(2f, b.embedder().embedFrames(new float[27], 1)[0][0], "b's own visual encoder");
        assertSame(b, models.forVersion("b").orElseThrow(), "one model per version across catalogs");
        assertEquals("a", models.active().version(), "live frames stay on the configured model until b is active");
        assertEquals(List.of("loaded /models/b"), events);
    }

    @Test
    void activatingAVersionOfAnotherEncoderSwitchesLiveFramesToIt() {
        directory("/models/b", "b", "sha256:bbb", 2f);
        models.update(servedAAndDeployedB().with(record("b", "sha256:bbb", ModelStatus.ACTIVE, "/models/b")));
        assertEquals("b", models.active().version());
        assertEquals(2f, models.active().embedder().embedFrames(new float[27], 1)[0][0]);

        models.update(servedAAndDeployedB()
                .with(record("b", "sha256:bbb", ModelStatus.READY, "/models/b"))
                .with(record("a", "sha256:aaa", ModelStatus.ACTIVE, null)));
        assertEquals("a", models.active().version(), "activating the configured version switches back");
    }

    @Test
    void anActiveVersionSharingTheConfiguredEncoderKeepsTheConfiguredModel() {
        models.update(servedAAndDeployedB().with(record("c", "sha256:aaa", ModelStatus.ACTIVE, "/models/c")));
        assertEquals("a", models.active().version());
        EncoderModel c = models.forVersion("c").orElseThrow();
        assertEquals("c", c.version(), "a re-encode for c is stamped c");
        assertEquals(1f, c.embedder().embedFrames(new float[12], 1)[0][0], "with the configured encoder");
        assertFalse(events.contains("loaded /models/c"), "its weights are not loaded again");
    }

    @Test
    void aRetiredVersionIsRefusedAndClosedOnlyWithTheModels() {
        FakeModels.Visual b = directory("/models/b", "b", "sha256:bbb", 2f);
        models.update(servedAAndDeployedB());
        models.update(servedAAndDeployedB().with(record("b", "sha256:bbb", ModelStatus.RETIRED, "/models/b")));
        assertTrue(models.forVersion("b").isEmpty());
        assertTrue(
                models.snapshot().whyNot("b").contains("retired"),
                models.snapshot().whyNot("b"));
        assertFalse(b.closed, "a batch may still be embedding with it");

        models.close();
        assertTrue(b.closed);
        assertFalse(configured.closed, "the configured model is its caller's");
    }

    @Test
    void aVersionThatCannotBeLoadedIsRefusedSayingWhyAndTheConfiguredModelStaysActive() {
        directory("/models/wrong", "not-d", "sha256:ddd", 4f);
        ModelCatalog catalog = ModelCatalog.EMPTY
                .with(record("a", "sha256:aaa", null, null))
                .with(record("b", "sha256:bbb", ModelStatus.ACTIVE, "/models/missing"))
                .with(record("d", "sha256:ddd", ModelStatus.DEPLOYED, "/models/wrong"))
                .with(record("e", "sha256:eee", ModelStatus.DEPLOYED, null));
        ModelVersion wide = ModelVersion.newBuilder(record("f", "sha256:fff", ModelStatus.DEPLOYED, "/models/f"))
                .setEmbedDim(8)
                .build();
        models.update(catalog.with(wide));

        EncoderModels.Snapshot snapshot = models.snapshot();
        assertEquals("a", snapshot.active().version(), "an active version that does not load leaves live frames on a");
        assertTrue(snapshot.whyNot("b").contains("does not load"), snapshot.whyNot("b"));
        assertTrue(snapshot.whyNot("d").contains("holds version not-d"), snapshot.whyNot("d"));
        assertTrue(directories.get("/models/wrong").closed, "a model of the wrong version is closed at once");
        assertTrue(snapshot.whyNot("e").contains("no weights location"), snapshot.whyNot("e"));
        assertTrue(snapshot.whyNot("f").contains("8-wide"), snapshot.whyNot("f"));
        assertTrue(snapshot.whyNot("z").contains("not deployed"), snapshot.whyNot("z"));
        for (String version : List.of("b", "d", "e", "f", "z")) {
            assertTrue(snapshot.forVersion(version).isEmpty(), version);
        }
    }

    @Test
    void aVersionNotSeenYetIsLookedUpOnceByReadingTheCatalogAgain() {
        directory("/models/b", "b", "sha256:bbb", 2f);
        List<String> reads = new ArrayList<>();
        EncoderModels rereading = new EncoderModels(configured, location -> directories.get(location), () -> {
            reads.add("read");
            return servedAAndDeployedB();
        });
        rereading.update(ModelCatalog.EMPTY.with(record("a", "sha256:aaa", null, null)));
        assertTrue(rereading.snapshot().forVersion("b").isEmpty(), "the deploy record has not been delivered yet");

        assertEquals("b", rereading.knowing("b").forVersion("b").orElseThrow().version());
        assertEquals(List.of("read"), reads);
        assertSame(rereading.knowing("b"), rereading.snapshot(), "a known version reads nothing more");

        assertTrue(rereading.knowing("zz").forVersion("zz").isEmpty());
        assertTrue(rereading.knowing("zz").forVersion("zz").isEmpty());
        assertEquals(List.of("read", "read"), reads, "an unknown version reads the catalog once, not once per frame");
    }
}
