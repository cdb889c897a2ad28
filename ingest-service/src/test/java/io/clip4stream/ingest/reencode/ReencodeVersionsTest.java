package io.clip4stream.ingest.reencode;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.clip4stream.runtime.kafka.ModelCatalog;
import io.clip4stream.schemas.avro.ModelVersion;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which versions a pass works on as a model change moves: deployed, activated, retired, badly named. */
class ReencodeVersionsTest {
    private long clock;

    private ModelVersion record(String version, String status, String fingerprint) {
        return ModelVersion.newBuilder()
                .setModelVersion(version)
                .setModelId("clip4clip")
                .setEmbedDim(512)
                .setResizeSize(224)
                .setInterpolation("bicubic")
                .setCropSize(224)
                .setNormalize("clip")
                .setHead("meanP")
                .setRecordedBy("test")
                .setRecordedAtMillis(++clock)
                .setVisualFingerprint(fingerprint)
                .setStatus(status)
                .build();
    }

    private ModelCatalog catalog(ModelVersion... records) {
        ModelCatalog catalog = ModelCatalog.EMPTY;
        for (ModelVersion record : records) {
            catalog = catalog.with(record);
        }
        return catalog;
    }

    @Test
    void aDeployedVersionWithAnotherEncoderIsWorkedOnAndOneWithTheSameIsNot() {
        ModelCatalog catalog = catalog(
                record("a", null, "sha256:A"),
                record("same", "deployed", "sha256:A"),
                record("v", "deployed", "sha256:B"));
        ReencodeVersions versions = ReencodeVersions.of(catalog, v -> false);
        assertEquals(List.of("v"), versions.work());
        assertEquals(Set.of(), versions.finishing());
        assertEquals(List.of(), versions.refused());
    }

    @Test
    void anActivatedVersionFinishesItsStartedJobButNeverStartsOne() {
        ModelCatalog catalog = catalog(
                record("a", null, "sha256:A"), record("v", "active", "sha256:B"), record("w", "active", "sha256:C"));
        // v became active (the current version) after its job started; w was activated with no job ever started.
        ReencodeVersions versions = ReencodeVersions.of(catalog, v -> v.equals("v"));
        assertEquals(List.of("v"), versions.work());
        assertEquals(Set.of("v"), versions.finishing());
    }

    @Test
    void aReadyVersionGoesOnOnlyWithAStartedJob() {
        // v was deployed and its job started; z was the active version before the current one, kept as ready.
        ModelCatalog catalog = catalog(
                record("z", "ready", "sha256:Z"), record("a", "active", "sha256:A"), record("v", "ready", "sha256:B"));
        ReencodeVersions versions = ReencodeVersions.of(catalog, v -> v.equals("v"));
        assertEquals(List.of("v"), versions.work(), "never a job for the old version: it holds its clips");
        // A ready version no longer needs a re-encode (ModelCatalog.needingReencode: only deployed ones): its started
        // job is finished and recorded complete.
        assertEquals(Set.of("v"), versions.finishing());
    }

    @Test
    void aRetiredVersionIsNotWorkedOnEvenWhenStarted() {
        ModelCatalog catalog = catalog(record("a", null, "sha256:A"), record("v", "retired", "sha256:B"));
        ReencodeVersions versions = ReencodeVersions.of(catalog, v -> true);
        assertEquals(List.of(), versions.work());
        assertEquals(List.of("v"), versions.retired());
    }

    @Test
    void anyNamedVersionIsWorkedOnAndOnlyAnEmptyNameIsRefused() {
        // Trained versions carry "+"; odd names are escaped into their progress file's name, never refused.
        ModelCatalog catalog = catalog(
                record("a", null, "sha256:A"),
                record("../x", "deployed", "sha256:B"),
                record("base+seqTransf-1", "deployed", "sha256:B"),
                record("", "deployed", "sha256:B"),
                record("v", "ready", "sha256:B"));
        ReencodeVersions versions = ReencodeVersions.of(catalog, v -> true);
        assertEquals(List.of("../x", "base+seqTransf-1", "v"), versions.work());
        assertEquals(List.of(""), versions.refused());
    }

    @Test
    void withoutACurrentVersionNothingNeedsFramesAgain() {
        ReencodeVersions versions = ReencodeVersions.of(catalog(record("v", "deployed", "sha256:B")), v -> false);
        assertEquals(List.of(), versions.work());
    }
}
