package io.clip4stream.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.model.spec.Preprocessing;
import io.clip4stream.runtime.config.ConfigException;
import io.clip4stream.runtime.config.Env;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IngestConfigTest {

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
}
