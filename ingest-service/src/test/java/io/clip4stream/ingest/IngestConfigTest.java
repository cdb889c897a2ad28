package io.clip4stream.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.model.spec.LinearPatch;
import io.clip4stream.model.spec.ModelConfig;
import io.clip4stream.model.spec.Preprocessing;
import io.clip4stream.model.spec.SimilarityHead;
import io.clip4stream.runtime.config.ConfigException;
import io.clip4stream.runtime.config.Env;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IngestConfigTest {

    private static final Preprocessing MMACTION = new Preprocessing(256, "bilinear", 224, "clip");

    @TempDir
    Path temp;

    /** A model directory as far as ingest reads it: config.json alone. */
    private String modelDir(String name, Optional<Preprocessing> preprocessing) throws IOException {
        Path dir = Files.createDirectories(temp.resolve(name));
        ModelConfig config = new ModelConfig(
                name,
                "1",
                SimilarityHead.MEAN_P,
                LinearPatch.TWO_D,
                12,
                32,
                4,
                Optional.empty(),
                preprocessing,
                Optional.empty());
        Files.writeString(dir.resolve("config.json"), config.toJson());
        return dir.toString();
    }

    @Test
    void shouldPrepareFramesTheClipWayByDefault() {
        assertEquals(
                Preprocessing.clip(224), IngestConfig.fromEnv(new Env(Map.of())).framePreparation());
        assertEquals(
                Preprocessing.clip(64),
                IngestConfig.fromEnv(new Env(Map.of("CLIP4S_INGEST_FRAME_SIZE", "64")))
                        .framePreparation());
    }

    @Test
    void shouldPrepareFramesAsAModelRecordsIt() {
        Env env = new Env(Map.of("CLIP4S_INGEST_RESIZE_SIZE", "256", "CLIP4S_INGEST_INTERPOLATION", "bilinear"));
        assertEquals(
                new Preprocessing(256, "bilinear", 224, "clip"),
                IngestConfig.fromEnv(env).framePreparation());
    }

    @Test
    void shouldRefuseAnUnknownFilterOrAResizeBelowTheCropNamingTheSettings() {
        ConfigException filter = assertThrows(
                ConfigException.class,
                () -> IngestConfig.fromEnv(new Env(Map.of("CLIP4S_INGEST_INTERPOLATION", "lanczos"))));
        assertTrue(
                filter.getMessage().contains("CLIP4S_INGEST_INTERPOLATION")
                        && filter.getMessage().contains("lanczos"),
                filter.getMessage());
        ConfigException small = assertThrows(
                ConfigException.class, () -> IngestConfig.fromEnv(new Env(Map.of("CLIP4S_INGEST_RESIZE_SIZE", "200"))));
        assertTrue(small.getMessage().contains("CLIP4S_INGEST_RESIZE_SIZE"), small.getMessage());
    }

    @Test
    void shouldFollowThePreprocessingTheModelDirectoryRecords() throws IOException {
        String dir = modelDir("mmaction", Optional.of(MMACTION));
        assertEquals(
                MMACTION,
                IngestConfig.fromEnv(new Env(Map.of("CLIP4S_MODEL_DIR", dir))).framePreparation());
        // A setting that agrees with the model is fine.
        assertEquals(
                MMACTION,
                IngestConfig.fromEnv(new Env(Map.of("CLIP4S_MODEL_DIR", dir, "CLIP4S_INGEST_FRAME_SIZE", "224")))
                        .framePreparation());
        String plain = modelDir("plain", Optional.empty());
        assertEquals(
                Preprocessing.clip(64),
                IngestConfig.fromEnv(new Env(Map.of("CLIP4S_MODEL_DIR", plain, "CLIP4S_INGEST_FRAME_SIZE", "64")))
                        .framePreparation());
    }

    @Test
    void shouldRefuseSettingsThatContradictTheModelOrAModelDirectoryWithoutConfig() throws IOException {
        String dir = modelDir("mmaction", Optional.of(MMACTION));
        ConfigException contradiction = assertThrows(
                ConfigException.class,
                () -> IngestConfig.fromEnv(
                        new Env(Map.of("CLIP4S_MODEL_DIR", dir, "CLIP4S_INGEST_INTERPOLATION", "bicubic"))));
        assertTrue(
                contradiction.getMessage().contains(MMACTION.describe())
                        && contradiction
                                .getMessage()
                                .contains(Preprocessing.clip(224).describe()),
                contradiction.getMessage());
        ConfigException missing = assertThrows(
                ConfigException.class,
                () -> IngestConfig.fromEnv(new Env(
                        Map.of("CLIP4S_MODEL_DIR", temp.resolve("absent").toString()))));
        assertTrue(missing.getMessage().contains("CLIP4S_MODEL_DIR"), missing.getMessage());
    }
}
