package io.clip4stream.runtime.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.schemas.avro.ModelVersion;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A model change read from the models topic's latest record per version. */
class ModelCatalogTest {

    private static ModelVersion record(String version, String status, long at) {
        return ModelVersion.newBuilder(
                        new ServedModel("m", version, 8, 16, "bicubic", 16, "clip", "meanP", List.of(), "sha256:v")
                                .toRecord("test", at))
                .setStatus(status)
                .setWeightsLocation(status == null ? null : "/models/" + version)
                .build();
    }

    @Test
    void shouldUseTheConfiguredModelUntilAVersionIsActivated() {
        ModelCatalog catalog = ModelCatalog.EMPTY.with(record("1", null, 1)).with(record("2", "deployed", 2));
        assertEquals(Optional.empty(), catalog.active());
        assertEquals(List.of("2"), catalog.kept());
        assertEquals(Optional.of(ModelStatus.DEPLOYED), catalog.status("2"));
        assertEquals(Optional.empty(), catalog.status("1"), "recorded by a service serving it");
        assertEquals(Optional.of("/models/2"), catalog.weightsLocation("2"));
        assertEquals(Optional.empty(), catalog.weightsLocation("1"));
    }

    @Test
    void shouldFollowActivationAndRetirement() {
        ModelCatalog catalog = ModelCatalog.EMPTY
                .with(record("1", "active", 1))
                .with(record("2", "deployed", 2))
                .with(record("2", "active", 3))
                .with(record("1", "ready", 4));
        assertEquals(Optional.of("2"), catalog.active());
        assertEquals(List.of("1", "2"), catalog.kept(), "first-recorded order");
        catalog = catalog.with(record("1", "retired", 5));
        assertTrue(catalog.retired("1"));
        assertEquals(List.of("2"), catalog.kept());
        assertEquals(List.of("1"), catalog.withStatus(ModelStatus.RETIRED));
        assertEquals(List.of(), catalog.without("1").withStatus(ModelStatus.RETIRED));
    }

    @Test
    void shouldPreferTheLatestActivationWhenTwoRecordsSayActive() {
        ModelCatalog catalog =
                ModelCatalog.EMPTY.with(record("1", "active", 10)).with(record("2", "active", 20));
        assertEquals(Optional.of("2"), catalog.active());
    }

    @Test
    void shouldReadStatusWireNames() {
        for (ModelStatus status : ModelStatus.values()) {
            assertEquals(Optional.of(status), ModelStatus.parse(status.wireName()));
        }
        assertEquals(Optional.empty(), ModelStatus.parse("building-later"));
        assertEquals(Optional.empty(), ModelStatus.parse(null));
    }

    @Test
    void shouldAskForAReencodeOnlyWhileADeployedVersionHasAnotherVisualEncoderThanTheCurrentOne() {
        ModelCatalog catalog = ModelCatalog.EMPTY
                .with(fingerprinted("a", null, 1, "sha256:A"))
                .with(fingerprinted("same", "deployed", 2, "sha256:A"))
                .with(fingerprinted("other", "deployed", 3, "sha256:B"))
                .with(fingerprinted("unknown", "deployed", 4, null));

        assertEquals(Optional.of("a"), catalog.current());
        assertEquals(Optional.of(true), catalog.sameVisualEncoder("a", "same"));
        assertEquals(Optional.of(false), catalog.sameVisualEncoder("a", "other"));
        assertEquals(Optional.empty(), catalog.sameVisualEncoder("a", "unknown"));
        assertEquals(List.of("other"), catalog.needingReencode());

        ModelCatalog switched = catalog.with(fingerprinted("other", "active", 5, "sha256:B"));
        assertEquals(Optional.of("other"), switched.current());
        assertEquals(
                List.of("same"), switched.needingReencode(), "the old encoder's deployed version is now the odd one");
        assertEquals(
                List.of(),
                switched.with(fingerprinted("same", "ready", 6, "sha256:A")).needingReencode(),
                "a ready version was active before and holds its clips");
        assertEquals(
                List.of(),
                catalog.with(fingerprinted("other", "retired", 6, "sha256:B")).needingReencode());
    }

    private static ModelVersion fingerprinted(String version, String status, long at, String fingerprint) {
        return ModelVersion.newBuilder(record(version, status, at))
                .setVisualFingerprint(fingerprint)
                .build();
    }
}
