package io.clip4stream.runtime.models;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Downloads one file into a folder: into {@code NAME.partial}, resuming an earlier partial file with an HTTP
 * {@code Range} request, retrying a dropped connection from where it stopped, verifying the SHA-256 before the file is
 * renamed (atomically) to {@code NAME}. A file whose digest does not match is deleted, and the error says so.
 *
 * <p>The expected digest is the one the source pins; without one, a Hugging Face file is checked against the SHA-256
 * the Hub reports for its LFS object ({@code X-Linked-Etag}); with neither, only an HTTPS download is accepted and its
 * digest is recorded. Redirects are followed here (at most 10), so that the Hugging Face token is sent to the Hub's
 * own host and never to the storage host it redirects to. Proxies come from the standard Java properties
 * ({@code https.proxyHost}, {@code http.nonProxyHosts}, ...) through {@link ProxySelector#getDefault()}.
 */
public final class ModelDownloader {

    private static final int MAX_REDIRECTS = 10;
    private static final long PROGRESS_EVERY_NANOS = 250_000_000L;
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
    private static final Pattern UNSATISFIED_RANGE = Pattern.compile("bytes \\*/(\\d+)");
    private static final Pattern SHA256_ETAG = Pattern.compile("^(?:W/)?\"?([0-9a-fA-F]{64})\"?$");

    private final HttpClient client;
    private final Optional<String> huggingFaceToken;
    private final String huggingFaceHost;
    private final int attempts;
    private final Duration retryPause;

    /**
     * Creates a downloader.
     *
     * @param client the HTTP client, which must not follow redirects itself ({@link #defaultClient()})
     * @param huggingFaceToken sent as a bearer token to {@code huggingFaceEndpoint}'s host only
     * @param huggingFaceEndpoint the Hub's address ({@code HF_ENDPOINT})
     * @param attempts how many times a transfer is tried before it fails (resuming each time)
     * @param retryPause the pause between attempts
     */
    public ModelDownloader(
            HttpClient client,
            Optional<String> huggingFaceToken,
            URI huggingFaceEndpoint,
            int attempts,
            Duration retryPause) {
        this.client = Objects.requireNonNull(client, "client");
        this.huggingFaceToken = Objects.requireNonNull(huggingFaceToken, "huggingFaceToken");
        this.huggingFaceHost = Objects.requireNonNull(huggingFaceEndpoint, "huggingFaceEndpoint")
                .getAuthority();
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be at least 1, got " + attempts);
        }
        this.attempts = attempts;
        this.retryPause = Objects.requireNonNull(retryPause, "retryPause");
    }

    /** An HTTP client with the system proxy settings that leaves redirects to the downloader. */
    public static HttpClient defaultClient() {
        return HttpClient.newBuilder()
                .proxy(ProxySelector.getDefault())
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(30))
                .build();
    }

    /** What the responses said about the file, beyond its bytes. */
    private record Reply(HttpResponse<InputStream> response, Optional<String> hubSha256, Optional<String> commit) {}

    /**
     * Downloads {@code file} into {@code directory} (created if needed), or returns it verified when it is already
     * there under its final name.
     *
     * @throws ModelPullException for an HTTP error, an exhausted retry budget, or a digest that does not match
     */
    public DownloadedFile download(ModelFile file, Path directory, DownloadProgress progress)
            throws ModelPullException {
        Path target = directory.resolve(file.fileName());
        Path partial = directory.resolve(file.fileName() + ".partial");
        try {
            Files.createDirectories(directory);
            if (Files.isRegularFile(target)) {
                // Only verified files are ever renamed to the final name; the digest is recomputed for provenance.
                String sha256 = digest(target);
                long size = Files.size(target);
                progress.update(file.fileName(), size, size, 0, true);
                return new DownloadedFile(target, size, sha256, "verified when it was downloaded", Optional.empty());
            }
        } catch (IOException e) {
            throw new ModelPullException("cannot use the download folder " + directory + ": " + e.getMessage(), e);
        }
        Transfer transfer = new Transfer(file, partial, progress);
        IOException last = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            try {
                if (transfer.run()) {
                    last = null;
                    break;
                }
            } catch (ModelPullException e) {
                throw e;
            } catch (IOException e) {
                last = e;
            }
            if (attempt < attempts) {
                pause();
            }
        }
        if (last != null || !transfer.complete) {
            throw new ModelPullException(
                    "download of " + file.url() + " failed after " + attempts + " attempts ("
                            + (last == null ? "incomplete" : last.getMessage()) + "); " + partial + " keeps the "
                            + transfer.have + " bytes received, and the next pull resumes from there",
                    last);
        }
        return transfer.verifyAndRename(target);
    }

    private void pause() throws ModelPullException {
        try {
            Thread.sleep(retryPause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelPullException("interrupted while waiting to retry a download", e);
        }
    }

    /** The state of one file's download across attempts. */
    private final class Transfer {
        private final ModelFile file;
        private final Path partial;
        private final DownloadProgress progress;
        private MessageDigest sha256;
        private long have;
        private long total = -1;
        private double rate;
        private boolean complete;
        private Optional<String> hubSha256 = Optional.empty();
        private Optional<String> commit = Optional.empty();

        Transfer(ModelFile file, Path partial, DownloadProgress progress) throws ModelPullException {
            this.file = file;
            this.partial = partial;
            this.progress = progress;
            try {
                sha256 = newDigest();
                if (Files.isRegularFile(partial)) {
                    try (InputStream in = Files.newInputStream(partial)) {
                        have = update(sha256, in);
                    }
                }
            } catch (IOException e) {
                throw new ModelPullException("cannot read the partial download " + partial + ": " + e.getMessage(), e);
            }
        }

        /** One attempt; returns whether the file is complete, throws IOException for a retryable failure. */
        boolean run() throws IOException {
            Reply reply = request(file.url(), have);
            hubSha256 = reply.hubSha256().or(() -> hubSha256);
            commit = reply.commit().or(() -> commit);
            HttpResponse<InputStream> response = reply.response();
            int status = response.statusCode();
            try (InputStream body = response.body()) {
                if (status == 416 && have > 0) {
                    long size = unsatisfiedRangeSize(response.headers());
                    if (size == have) {
                        total = have;
                        complete = true;
                        return true;
                    }
                    restart();
                    throw new IOException("the server's file is " + size + " bytes, the partial one " + have);
                }
                if (status >= 500) {
                    throw new IOException("HTTP " + status + " from " + file.url());
                }
                if (status != 200 && status != 206) {
                    throw new ModelPullException(httpError(status));
                }
                if (file.sha256().isEmpty()
                        && hubSha256.isEmpty()
                        && !"https".equals(file.url().getScheme())) {
                    throw new ModelPullException("refusing " + file.url() + ": plain HTTP and no SHA-256 to check it"
                            + " against; give the expected digest (--sha256) or use HTTPS");
                }
                long length =
                        response.headers().firstValueAsLong("Content-Length").orElse(-1);
                if (status == 206) {
                    Matcher range = CONTENT_RANGE.matcher(
                            response.headers().firstValue("Content-Range").orElse(""));
                    if (!range.matches() || Long.parseLong(range.group(1)) != have) {
                        restart();
                        throw new IOException("the server answered the range request from byte " + have + " with "
                                + response.headers().firstValue("Content-Range").orElse("no Content-Range"));
                    }
                    total = range.group(3).equals("*") ? -1 : Long.parseLong(range.group(3));
                } else {
                    if (have > 0) {
                        restart(); // the server ignored the Range header and sends the whole file
                    }
                    total = length;
                }
                copy(body);
            }
            if (total >= 0 && have != total) {
                throw new IOException("the connection closed after " + have + " of " + total + " bytes");
            }
            complete = true;
            progress.update(file.fileName(), have, total, rate, true);
            return true;
        }

        private void copy(InputStream body) throws IOException {
            byte[] buffer = new byte[1 << 20];
            long started = System.nanoTime();
            long lastReport = started;
            long received = 0;
            try (OutputStream out = Files.newOutputStream(
                    partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                for (int n = body.read(buffer); n >= 0; n = body.read(buffer)) {
                    out.write(buffer, 0, n);
                    sha256.update(buffer, 0, n);
                    have += n;
                    received += n;
                    long now = System.nanoTime();
                    rate = received * 1e9 / Math.max(1, now - started);
                    if (now - lastReport >= PROGRESS_EVERY_NANOS) {
                        progress.update(file.fileName(), have, total, rate, false);
                        lastReport = now;
                    }
                }
            }
        }

        private void restart() throws IOException {
            Files.deleteIfExists(partial);
            sha256 = newDigest();
            have = 0;
        }

        DownloadedFile verifyAndRename(Path target) throws ModelPullException {
            String actual = HexFormat.of().formatHex(sha256.digest());
            String verification;
            if (file.sha256().isPresent()) {
                ExpectedSha256 expected = file.sha256().get();
                mismatch(expected.matches(actual), expected.hex(), actual);
                verification =
                        "SHA-256 " + (expected.isPrefix() ? "prefix " : "") + expected.hex() + " " + expected.origin();
            } else if (hubSha256.isPresent()) {
                mismatch(hubSha256.get().equals(actual), hubSha256.get(), actual);
                verification = "SHA-256 reported by the Hugging Face Hub for this revision (X-Linked-Etag)";
            } else {
                verification = "no published SHA-256: HTTPS and the announced size (" + have + " bytes) only; the"
                        + " digest computed here is recorded";
            }
            try {
                Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new ModelPullException("cannot rename " + partial + " to " + target + ": " + e.getMessage(), e);
            }
            return new DownloadedFile(target, have, actual, verification, commit);
        }

        private void mismatch(boolean matches, String expected, String actual) throws ModelPullException {
            if (matches) {
                return;
            }
            String deleted;
            try {
                Files.deleteIfExists(partial);
                deleted = "the download was deleted";
            } catch (IOException e) {
                deleted = "the download " + partial + " could not be deleted (" + e.getMessage() + ")";
            }
            throw new ModelPullException("SHA-256 mismatch for " + file.url() + ": expected " + expected + ", got "
                    + actual + "; " + deleted + " (a corrupted transfer or a changed file: pull again, or check the"
                    + " source)");
        }

        private String httpError(int status) {
            String url = file.url().toString();
            return switch (status) {
                case 401, 403 ->
                    "HTTP " + status + " from " + url + ": the file needs authorisation"
                            + (isHuggingFace(file.url())
                                    ? (huggingFaceToken.isPresent()
                                            ? " that HF_TOKEN does not grant"
                                            : "; set HF_TOKEN to a Hugging Face access token")
                                    : "");
                case 404 -> "HTTP 404 from " + url + ": no such file (check the model name, --revision and URL)";
                default -> "HTTP " + status + " from " + url + ", which is not a file download";
            };
        }
    }

    private Reply request(URI start, long from) throws IOException {
        URI uri = start;
        Optional<String> hubSha = Optional.empty();
        Optional<String> commit = Optional.empty();
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                    .GET()
                    .timeout(Duration.ofSeconds(60))
                    .header("User-Agent", "clip4stream-model-pull");
            if (from > 0) {
                request.header("Range", "bytes=" + from + "-");
            }
            if (huggingFaceToken.isPresent() && isHuggingFace(uri)) {
                request.header("Authorization", "Bearer " + huggingFaceToken.get());
            }
            HttpResponse<InputStream> response;
            try {
                response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ModelPullException("interrupted while downloading " + start, e);
            }
            HttpHeaders headers = response.headers();
            hubSha = hubSha.or(() -> headers.firstValue("X-Linked-Etag").flatMap(ModelDownloader::sha256Etag));
            if (isHuggingFace(uri)) {
                hubSha = hubSha.or(() -> headers.firstValue("ETag").flatMap(ModelDownloader::sha256Etag));
            }
            commit = commit.or(() -> headers.firstValue("X-Repo-Commit"));
            int status = response.statusCode();
            if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
                response.body().close();
                String location = headers.firstValue("Location")
                        .orElseThrow(() -> new IOException("HTTP " + status + " without a Location from " + start));
                uri = uri.resolve(location);
                continue;
            }
            return new Reply(response, hubSha, commit);
        }
        throw new ModelPullException("more than " + MAX_REDIRECTS + " redirects from " + start);
    }

    private boolean isHuggingFace(URI uri) {
        return huggingFaceHost != null && huggingFaceHost.equalsIgnoreCase(uri.getAuthority());
    }

    private static Optional<String> sha256Etag(String etag) {
        Matcher matcher = SHA256_ETAG.matcher(etag.strip());
        return matcher.matches() ? Optional.of(matcher.group(1).toLowerCase(Locale.ROOT)) : Optional.empty();
    }

    private static long unsatisfiedRangeSize(HttpHeaders headers) {
        Matcher matcher =
                UNSATISFIED_RANGE.matcher(headers.firstValue("Content-Range").orElse(""));
        return matcher.matches() ? Long.parseLong(matcher.group(1)) : -1;
    }

    /** Returns the SHA-256 of a file as lower-case hex. */
    static String digest(Path file) throws IOException {
        MessageDigest sha256 = newDigest();
        try (InputStream in = Files.newInputStream(file)) {
            update(sha256, in);
        }
        return HexFormat.of().formatHex(sha256.digest());
    }

    private static long update(MessageDigest digest, InputStream in) throws IOException {
        byte[] buffer = new byte[1 << 20];
        long count = 0;
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
            digest.update(buffer, 0, n);
            count += n;
        }
        return count;
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
    }
}
