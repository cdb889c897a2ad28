package io.clip4stream.runtime.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.testkit.LoopbackFileServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelStoreTest {

    @TempDir
    Path cache;

    private LoopbackFileServer server;
    private final byte[] weights = "pretend these are CLIP weights".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    private String sha256;
    /** What the installer was asked to convert. */
    private record Install(Path checkpoint, Map<String, String> settings) {}

    private final List<Install> installs = new ArrayList<>();

    /** Stands in for the converter: records the request and writes a config.json. */
    private final ModelStore.Installer installer = (checkpoint, tokenizer, settings, modelDir) -> {
        installs.add(new Install(checkpoint, settings));
        Files.writeString(modelDir.resolve("config.json"), "{}");
        return "converted " + checkpoint.getFileName();
    };

    @BeforeEach
    void start() throws Exception {
        server = new LoopbackFileServer();
        sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(weights));
        server.file("/clip/" + sha256 + "/ViT-T.pt", weights, Map.of());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private ModelSource source() {
        return new ModelSource(
                "test/ViT-T",
                sha256.substring(0, 8),
                "a test model",
                List.of(new ModelFile(
                        "ViT-T.pt",
                        server.base().resolve("/clip/" + sha256 + "/ViT-T.pt"),
                        Optional.of(new ExpectedSha256(sha256, "in the test's URL")))),
                "ViT-T.pt",
                "MIT",
                "https://example.invalid/LICENSE",
                List.of(),
                Map.of("sim_header", "meanP"),
                Optional.empty());
    }

    private ModelStore store() {
        return new ModelStore(
                cache,
                new ModelRegistry(List.of(source())),
                new ModelDownloader(
                        ModelDownloader.defaultClient(), Optional.empty(), server.base(), 2, Duration.ZERO));
    }

    @Test
    void shouldPullOnceAndThenReadTheCache() throws Exception {
        ModelStore store = store();
        ModelSource source = store.source("test/ViT-T", Optional.empty(), Optional.empty());
        ModelStore.PulledModel first = store.pull(source, Optional.empty(), false, DownloadProgress.NONE, installer);
        assertTrue(first.downloaded());
        assertEquals(cache.resolve("test/ViT-T/" + sha256.substring(0, 8) + "/model"), first.directory());
        Install install = installs.getFirst();
        assertEquals(cache.resolve("test/ViT-T/" + sha256.substring(0, 8) + "/files/ViT-T.pt"), install.checkpoint());
        assertEquals("test/ViT-T", install.settings().get("model_id"));
        assertEquals(sha256.substring(0, 8), install.settings().get("model_version"));
        assertEquals("", install.settings().get("trained_heads"), "a zero-shot model has no trained head");

        Provenance provenance = Provenance.read(first.directory());
        assertEquals(sha256, provenance.files().getFirst().sha256());
        assertTrue(provenance.files().getFirst().verification().contains("in the test's URL"));
        assertEquals("MIT", provenance.licence());
        assertEquals("converted ViT-T.pt", provenance.conversion());

        ModelStore.PulledModel again = store.pull(source, Optional.empty(), true, DownloadProgress.NONE, installer);
        assertFalse(again.downloaded());
        assertEquals(first.directory(), again.directory());
        assertEquals(1, server.requests("/clip/" + sha256 + "/ViT-T.pt").size(), "the second pull used the cache");
        assertEquals(1, installs.size());

        List<ModelStore.CachedModel> listed = store.list();
        assertEquals(1, listed.size());
        assertEquals("test/ViT-T", listed.getFirst().provenance().name());
        assertTrue(listed.getFirst().bytes() >= weights.length);
    }

    @Test
    void shouldSayWhatToDoWhenOfflineWithoutACache() throws Exception {
        ModelStore store = store();
        ModelSource source = store.source("test/ViT-T", Optional.empty(), Optional.empty());
        ModelPullException error = assertThrows(
                ModelPullException.class,
                () -> store.pull(source, Optional.empty(), true, DownloadProgress.NONE, installer));
        assertTrue(
                error.getMessage()
                        .contains("model test/ViT-T (revision " + sha256.substring(0, 8) + ") is not in the cache "
                                + cache),
                error.getMessage());
        assertTrue(error.getMessage().contains("model pull test/ViT-T"), error.getMessage());
        assertTrue(server.requests("/clip/" + sha256 + "/ViT-T.pt").isEmpty(), "offline means no request");
    }

    @Test
    void shouldWriteTheModelDirectoryElsewhereFromTheCachedDownload() throws Exception {
        ModelStore store = store();
        ModelSource source = store.source("test/ViT-T", Optional.empty(), Optional.empty());
        store.pull(source, Optional.empty(), false, DownloadProgress.NONE, installer);
        Path out = cache.resolve("elsewhere");
        ModelStore.PulledModel copy = store.pull(source, Optional.of(out), true, DownloadProgress.NONE, installer);
        assertEquals(out, copy.directory());
        assertTrue(Files.isRegularFile(out.resolve(Provenance.FILE)));
        assertEquals(1, server.requests("/clip/" + sha256 + "/ViT-T.pt").size());
    }

    @Test
    void shouldPullAUrlPinnedByItsDigest() throws Exception {
        ModelStore store = store();
        String url = server.base() + "/clip/" + sha256 + "/ViT-T.pt";
        ModelSource source = store.source(url, Optional.empty(), Optional.of(sha256));
        assertEquals("url/127.0.0.1/ViT-T.pt", source.name());
        assertEquals(sha256.substring(0, 12), source.revision());
        ModelStore.PulledModel pulled = store.pull(source, Optional.empty(), false, DownloadProgress.NONE, installer);
        assertTrue(Files.isRegularFile(pulled.directory().resolve("config.json")));
    }

    @Test
    void shouldNameTheKnownModelsForAnUnknownName() {
        ModelPullException error = assertThrows(
                ModelPullException.class, () -> store().source("openai/ViT-X", Optional.empty(), Optional.empty()));
        assertTrue(
                error.getMessage().contains("no model named 'openai/ViT-X'; known: [test/ViT-T]"), error.getMessage());
    }

    @Test
    void shouldMoveAHuggingFaceModelToAnotherRevisionButNotADigestPinnedOne() throws Exception {
        ModelRegistry registry = ModelRegistry.builtIn(URI.create("https://hub.example"));
        ModelSource timm = registry.find("timm/vit-b32-clip-openai").orElseThrow();
        ModelSource pinned = ModelStore.withRevision(timm, "abc123");
        assertEquals("abc123", pinned.revision());
        assertEquals(
                URI.create(
                        "https://hub.example/timm/vit_base_patch32_clip_224.openai/resolve/abc123/open_clip_model.safetensors"),
                pinned.files().getFirst().url());
        ModelSource openai = registry.find("openai/ViT-B-32").orElseThrow();
        assertThrows(IllegalArgumentException.class, () -> ModelStore.withRevision(openai, "abc123"));
    }

    @Test
    void shouldPinTheRegistryToRealSources() {
        ModelRegistry registry = ModelRegistry.builtIn(ModelRegistry.HUGGING_FACE);
        assertEquals(
                List.of(
                        "openai/ViT-B-32",
                        "openai/ViT-B-16",
                        "mmaction2/clip4clip-vit-b32-msrvtt",
                        "searchium/clip4clip-webvid150k",
                        "timm/vit-b32-clip-openai"),
                registry.sources().stream().map(ModelSource::name).toList());
        ModelSource b32 = registry.find("openai/vit-b-32").orElseThrow();
        // OpenAI's URL path is the file's SHA-256; the registry checks the download against it.
        ModelFile file = b32.files().getFirst();
        assertTrue(
                file.url().getPath().contains(file.sha256().orElseThrow().hex()),
                file.url().toString());
        assertEquals("https", file.url().getScheme());
        for (ModelSource source : registry.sources()) {
            assertFalse(source.licence().isBlank(), source.name());
            assertTrue(source.files().stream().allMatch(f -> f.url().getScheme().equals("https")), source.name());
        }
    }
}
