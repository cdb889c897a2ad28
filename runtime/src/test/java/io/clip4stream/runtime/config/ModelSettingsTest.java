package io.clip4stream.runtime.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.runtime.models.ModelStore;
import io.clip4stream.testkit.LoopbackFileServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelSettingsTest {

    private static final String PATH =
            "/timm/vit_base_patch32_clip_224.openai/resolve/main/open_clip_model.safetensors";

    @TempDir
    Path dir;

    private final ModelStore.Installer installer = (checkpoint, tokenizer, settings, modelDir) -> {
        Files.writeString(modelDir.resolve("config.json"), "{\"model_id\": \"" + settings.get("model_id") + "\"}");
        return "converted";
    };

    @Test
    void shouldLeaveTheDirectorySettingAloneWithoutAName() {
        Env env = new Env(Map.of("CLIP4S_MODEL_DIR", "/models/mine"));
        assertSame(env, ModelSettings.withPulledModel(env, installer));
    }

    @Test
    void shouldPointTheDirectorySettingAtThePulledModel() throws Exception {
        byte[] file = "weights".getBytes(StandardCharsets.UTF_8);
        try (LoopbackFileServer server = new LoopbackFileServer()) {
            String sha256 = HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(file));
            server.file(PATH, file, Map.of("X-Linked-Etag", "\"" + sha256 + "\""));
            Env env = new Env(Map.of(
                    "CLIP4S_MODEL", "timm/vit-b32-clip-openai",
                    "CLIP4S_MODEL_HOME", dir.toString(),
                    "HF_ENDPOINT", server.base().toString()));
            Env pulled = ModelSettings.withPulledModel(env, installer);
            Path modelDir = pulled.get(ModelSettings.DIRECTORY);
            assertEquals(dir.resolve("timm/vit-b32-clip-openai/main/model"), modelDir);
            assertTrue(Files.readString(modelDir.resolve("config.json")).contains("timm/vit-b32-clip-openai"));
        }
    }

    @Test
    void shouldNameTheSettingWhenOfflineWithoutACache() {
        Env env = new Env(Map.of(
                "CLIP4S_MODEL",
                "openai/ViT-B-16",
                "CLIP4S_MODEL_HOME",
                dir.toString(),
                "CLIP4S_MODEL_OFFLINE",
                "true"));
        ConfigException error =
                assertThrows(ConfigException.class, () -> ModelSettings.withPulledModel(env, installer));
        assertTrue(
                error.getMessage()
                        .startsWith("CLIP4S_MODEL='openai/ViT-B-16': model openai/ViT-B-16 (revision"
                                + " 5806e77c) is not in the cache"),
                error.getMessage());
    }
}
