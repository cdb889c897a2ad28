package io.clip4stream.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.model.spec.SimilarityHead;
import io.clip4stream.model.weights.ModelDirectory;
import io.clip4stream.model.weights.SafetensorsWriter;
import io.clip4stream.model.weights.TensorData;
import io.clip4stream.model.weights.TinyModelGenerator;
import io.clip4stream.model.weights.TinyModelShape;
import io.clip4stream.testkit.LoopbackFileServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code model pull} and {@code model list} against a Hugging Face endpoint on the loopback interface ({@code
 * HF_ENDPOINT}) serving the tiny model as an OpenCLIP safetensors file, as timm's repository does.
 */
class ModelPullCommandTest {

    static final String TIMM_PATH = "/timm/vit_base_patch32_clip_224.openai/resolve/main/open_clip_model.safetensors";

    @TempDir
    Path dir;

    private LoopbackFileServer server;
    private Map<String, String> environment;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    /** The tiny model's CLIP towers under OpenAI's raw names, as open_clip_model.safetensors holds them. */
    static byte[] openClipSafetensors() {
        Map<String, TensorData> raw = new LinkedHashMap<>();
        new TinyModelGenerator(TinyModel.SEED)
                .tensors(TinyModelShape.defaults())
                .forEach((name, data) -> {
                    if (name.startsWith("clip.")) {
                        raw.put(name.substring("clip.".length()), data);
                    }
                });
        return new SafetensorsWriter().toBytes(raw, Map.of("format", "pt"));
    }

    /** Serves the timm file as the Hub does: a redirect carrying the LFS SHA-256 and the commit. */
    static void serveTimm(LoopbackFileServer server, byte[] file) throws Exception {
        String sha256 =
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(file));
        server.redirect(
                TIMM_PATH,
                server.base().resolve("/lfs/open_clip_model"),
                Map.of("X-Linked-Etag", "\"" + sha256 + "\"", "X-Repo-Commit", "feedc0de"));
        server.file("/lfs/open_clip_model", file, Map.of());
    }

    @BeforeEach
    void start() throws Exception {
        server = new LoopbackFileServer();
        serveTimm(server, openClipSafetensors());
        environment = Map.of(
                "CLIP4S_MODEL_HOME",
                dir.resolve("cache").toString(),
                "HF_ENDPOINT",
                server.base().toString());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private int run(String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        return Clip4StreamCommand.commandLine(new PrintWriter(out, true), new PrintWriter(err, true), environment)
                .execute(args);
    }

    @Test
    void shouldPullVerifyConvertAndThenServeFromTheCache() throws Exception {
        assertEquals(0, run("model", "pull", "timm/vit-b32-clip-openai"), err.toString());
        assertTrue(
                out.toString().startsWith("Pulled timm/vit-b32-clip-openai (main, commit feedc0de) into "),
                out.toString());
        assertTrue(out.toString().contains("Hugging Face Hub"), out.toString());
        assertTrue(out.toString().contains("trained heads: none: zero-shot, meanP only"), out.toString());
        assertTrue(err.toString().contains("open_clip_model.safetensors"), "progress is shown: " + err);
        Path modelDir = dir.resolve("cache/timm/vit-b32-clip-openai/main/model");
        ModelDirectory directory = ModelDirectory.open(modelDir);
        assertEquals("timm/vit-b32-clip-openai", directory.config().modelId());
        assertEquals(SimilarityHead.MEAN_P, directory.config().simHeader());
        assertEquals(Optional.of(Set.of()), directory.config().trainedHeads());

        assertEquals(0, run("model", "pull", "timm/vit-b32-clip-openai", "--offline"), err.toString());
        assertTrue(out.toString().startsWith("Cached timm/vit-b32-clip-openai"), out.toString());
        assertEquals(1, server.requests(TIMM_PATH).size(), "one download");

        assertEquals(0, run("model", "list", "--json", "--available"), err.toString());
        JsonNode list = new ObjectMapper().readTree(out.toString());
        assertEquals(
                "timm/vit-b32-clip-openai",
                list.path("cached").get(0).path("name").asText());
        assertTrue(list.path("cached").get(0).path("source").asText().endsWith(TIMM_PATH));
        assertEquals(5, list.path("available").size());
    }

    @Test
    void shouldSayWhatToDoOfflineWithoutACache() {
        assertEquals(1, run("model", "pull", "openai/ViT-B-32", "--offline"));
        assertTrue(
                err.toString().contains("model openai/ViT-B-32 (revision 40d36571) is not in the cache"),
                err.toString());
        assertTrue(err.toString().contains("bin/clip4stream model pull openai/ViT-B-32"), err.toString());
    }

    @Test
    void shouldReportAMissingFileOnce() {
        assertEquals(1, run("model", "pull", "timm/vit-b32-clip-openai", "--revision", "nope"));
        assertTrue(err.toString().contains("HTTP 404"), err.toString());
        assertTrue(err.toString().contains("/resolve/nope/open_clip_model.safetensors"), err.toString());
    }

    @Test
    void shouldPullANamedModelOnFirstUseWhereADirectoryIsAccepted() throws Exception {
        assertEquals(0, run("model", "info", "--json", "timm/vit-b32-clip-openai"), err.toString());
        JsonNode info = new ObjectMapper().readTree(out.toString());
        assertEquals("timm/vit-b32-clip-openai", info.get("modelId").asText());
        assertEquals("main", info.get("modelVersion").asText());
        assertEquals(0, info.get("trained_heads").size(), "zero-shot");
        assertFalse(info.has("trainedHeads"), "one name for the trained heads: " + info);
        assertTrue(err.toString().contains("model timm/vit-b32-clip-openai (main) pulled into"), err.toString());
        assertEquals(0, run("model", "info", "timm/vit-b32-clip-openai"), err.toString());
        assertEquals(1, server.requests(TIMM_PATH).size(), "the second use reads the cache");
    }

    @Test
    void shouldExplainAReferenceThatIsNeitherADirectoryNorAName() {
        assertEquals(1, run("model", "info", dir.resolve("nope").toString()));
        assertTrue(err.toString().contains("no model directory"), err.toString());
        assertEquals(1, run("model", "info", "no-such-dir"));
        assertTrue(err.toString().contains("is not a model name such as openai/ViT-B-32"), err.toString());
    }
}
