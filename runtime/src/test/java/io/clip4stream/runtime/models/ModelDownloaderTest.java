package io.clip4stream.runtime.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.testkit.LoopbackFileServer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelDownloaderTest {

    @TempDir
    Path dir;

    private LoopbackFileServer server;
    private final byte[] weights = new byte[300_000];
    private String sha256;

    @BeforeEach
    void start() throws Exception {
        server = new LoopbackFileServer();
        new SplittableRandom(3).nextBytes(weights);
        sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(weights));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private ModelDownloader downloader(Optional<String> token) {
        return new ModelDownloader(ModelDownloader.defaultClient(), token, server.base(), 3, Duration.ZERO);
    }

    private ModelFile file(String path, Optional<String> sha) {
        return new ModelFile(
                "weights.bin", server.base().resolve(path), sha.map(hex -> new ExpectedSha256(hex, "test")));
    }

    @Test
    void shouldVerifyAndRenameADownload() throws Exception {
        server.file("/w.bin", weights, Map.of());
        List<Boolean> finished = new ArrayList<>();
        DownloadedFile result = downloader(Optional.empty())
                .download(file("/w.bin", Optional.of(sha256)), dir, (f, done, total, rate, end) -> finished.add(end));
        assertEquals(dir.resolve("weights.bin"), result.path());
        assertEquals(sha256, result.sha256());
        assertTrue(result.verification().startsWith("SHA-256 " + sha256), result.verification());
        assertTrue(Arrays.equals(weights, Files.readAllBytes(result.path())));
        assertFalse(Files.exists(dir.resolve("weights.bin.partial")));
        assertTrue(finished.getLast(), "the last progress update says finished");
    }

    @Test
    void shouldResumeAfterTheServerDropsTheConnection() throws Exception {
        server.fileDroppedOnce("/w.bin", weights);
        DownloadedFile result =
                downloader(Optional.empty()).download(file("/w.bin", Optional.of(sha256)), dir, DownloadProgress.NONE);
        assertEquals(sha256, result.sha256());
        List<LoopbackFileServer.Request> requests = server.requests("/w.bin");
        assertEquals(2, requests.size());
        assertNull(requests.get(0).header("Range"));
        String range = requests.get(1).header("Range");
        assertTrue(range != null && range.startsWith("bytes=") && !range.equals("bytes=0-"), String.valueOf(range));
    }

    @Test
    void shouldResumeAPartialFileLeftByAnEarlierPull() throws Exception {
        server.file("/w.bin", weights, Map.of());
        Files.write(dir.resolve("weights.bin.partial"), Arrays.copyOf(weights, 123_456));
        DownloadedFile result =
                downloader(Optional.empty()).download(file("/w.bin", Optional.of(sha256)), dir, DownloadProgress.NONE);
        assertEquals(sha256, result.sha256());
        assertEquals("bytes=123456-", server.requests("/w.bin").getFirst().header("Range"));
    }

    @Test
    void shouldDeleteADownloadWhoseDigestDiffersAndSaySo() {
        server.file("/w.bin", weights, Map.of());
        String wrong = "0".repeat(64);
        ModelPullException error = assertThrows(
                ModelPullException.class,
                () -> downloader(Optional.empty())
                        .download(file("/w.bin", Optional.of(wrong)), dir, DownloadProgress.NONE));
        assertTrue(error.getMessage().contains("SHA-256 mismatch"), error.getMessage());
        assertTrue(error.getMessage().contains("expected " + wrong + ", got " + sha256), error.getMessage());
        assertTrue(error.getMessage().contains("deleted"), error.getMessage());
        assertFalse(Files.exists(dir.resolve("weights.bin.partial")));
        assertFalse(Files.exists(dir.resolve("weights.bin")));
    }

    @Test
    void shouldAcceptThePublishersDigestPrefix() throws Exception {
        server.file("/w.bin", weights, Map.of());
        DownloadedFile result = downloader(Optional.empty())
                .download(file("/w.bin", Optional.of(sha256.substring(0, 8))), dir, DownloadProgress.NONE);
        assertTrue(result.verification().startsWith("SHA-256 prefix " + sha256.substring(0, 8)), result.verification());
    }

    @Test
    void shouldGiveOneClearErrorForNotFound() {
        server.status("/missing.bin", 404);
        ModelPullException error = assertThrows(
                ModelPullException.class,
                () -> downloader(Optional.empty())
                        .download(file("/missing.bin", Optional.of(sha256)), dir, DownloadProgress.NONE));
        assertTrue(error.getMessage().startsWith("HTTP 404 from " + server.base()), error.getMessage());
        assertEquals(1, server.requests("/missing.bin").size(), "a 404 is not retried");
    }

    @Test
    void shouldAskForATokenWhenTheHubSaysUnauthorised() {
        server.status("/org/private/resolve/main/model.safetensors", 401);
        ModelFile file = new ModelFile(
                "model.safetensors",
                server.base().resolve("/org/private/resolve/main/model.safetensors"),
                Optional.empty());
        ModelPullException error = assertThrows(
                ModelPullException.class,
                () -> downloader(Optional.empty()).download(file, dir, DownloadProgress.NONE));
        assertTrue(error.getMessage().contains("HTTP 401"), error.getMessage());
        assertTrue(error.getMessage().contains("set HF_TOKEN"), error.getMessage());
    }

    @Test
    void shouldRetryAServerErrorThenGiveUpWithOneError() {
        server.status("/busy.bin", 500);
        ModelPullException error = assertThrows(
                ModelPullException.class,
                () -> downloader(Optional.empty())
                        .download(file("/busy.bin", Optional.of(sha256)), dir, DownloadProgress.NONE));
        assertTrue(error.getMessage().contains("failed after 3 attempts (HTTP 500"), error.getMessage());
        assertEquals(3, server.requests("/busy.bin").size());
    }

    @Test
    void shouldRefuseAnUnverifiableDownloadOverPlainHttp() {
        server.file("/w.bin", weights, Map.of());
        ModelPullException error = assertThrows(
                ModelPullException.class,
                () -> downloader(Optional.empty())
                        .download(file("/w.bin", Optional.empty()), dir, DownloadProgress.NONE));
        assertTrue(error.getMessage().contains("plain HTTP and no SHA-256"), error.getMessage());
        assertFalse(Files.exists(dir.resolve("weights.bin")));
    }

    @Test
    void shouldCheckAHubFileAgainstItsLfsDigestAndKeepTheTokenOnTheHub() throws Exception {
        URI cdn = server.otherHost().resolve("/cdn/blob");
        server.redirect(
                "/org/clip/resolve/main/model.safetensors",
                cdn,
                Map.of("X-Linked-Etag", "\"" + sha256 + "\"", "X-Repo-Commit", "0123abcd"));
        server.file("/cdn/blob", weights, Map.of());
        ModelFile file = new ModelFile(
                "model.safetensors",
                server.base().resolve("/org/clip/resolve/main/model.safetensors"),
                Optional.empty());
        DownloadedFile result = downloader(Optional.of("hf_secret")).download(file, dir, DownloadProgress.NONE);
        assertEquals(sha256, result.sha256());
        assertEquals(Optional.of("0123abcd"), result.repositoryCommit());
        assertTrue(result.verification().contains("Hugging Face Hub"), result.verification());
        assertEquals(
                "Bearer hf_secret",
                server.requests("/org/clip/resolve/main/model.safetensors")
                        .getFirst()
                        .header("Authorization"));
        assertNull(
                server.requests("/cdn/blob").getFirst().header("Authorization"), "the token stays on the Hub's host");
    }

    @Test
    void shouldRefuseAHubFileThatDiffersFromItsLfsDigest() throws IOException {
        server.redirect(
                "/org/clip/resolve/main/model.safetensors",
                server.base().resolve("/cdn/blob"),
                Map.of("X-Linked-Etag", "\"" + "f".repeat(64) + "\""));
        server.file("/cdn/blob", weights, Map.of());
        ModelFile file = new ModelFile(
                "model.safetensors",
                server.base().resolve("/org/clip/resolve/main/model.safetensors"),
                Optional.empty());
        ModelPullException error = assertThrows(
                ModelPullException.class,
                () -> downloader(Optional.empty()).download(file, dir, DownloadProgress.NONE));
        assertTrue(error.getMessage().contains("SHA-256 mismatch"), error.getMessage());
        try (var left = Files.list(dir)) {
            assertEquals(List.of(), left.toList());
        }
    }

    @Test
    void shouldRenderProgressWithRateAndTimeLeft() {
        assertEquals(
                "w.bin  512.0 KiB / 1.0 MiB (50%)  256.0 KiB/s  ETA 0:00:02",
                DownloadProgress.line("w.bin", 512 * 1024, 1024 * 1024, 256 * 1024));
        assertEquals("w.bin  100 B  0 B/s", DownloadProgress.line("w.bin", 100, -1, 0));
    }
}
