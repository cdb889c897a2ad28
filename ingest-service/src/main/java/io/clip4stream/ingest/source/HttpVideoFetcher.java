package io.clip4stream.ingest.source;

import io.clip4stream.runtime.net.AddressGuard;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Locale;

/**
 * Streams an http(s) video body without holding it in memory, following at most five redirects itself so that every
 * hop passes the {@link AddressGuard}, and cutting the body off at a size limit.
 */
public final class HttpVideoFetcher {
    private static final int MAX_REDIRECTS = 5;

    private final AddressGuard guard;
    private final Duration timeout;
    private final long maxBytes;
    private final HttpClient client;

    /** A fetcher checking targets with {@code guard}, with a connect/response timeout and a body size limit. */
    public HttpVideoFetcher(AddressGuard guard, Duration timeout, long maxBytes) {
        this.guard = guard;
        this.timeout = timeout;
        this.maxBytes = maxBytes;
        this.client = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(timeout)
                .build();
    }

    /** Checks {@code uri}'s scheme and host; throws when it may not be fetched. */
    public void check(URI uri) throws SourceRejectedException {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new SourceRejectedException(400, "bad_uri", "Only http and https URLs can be fetched; was " + scheme);
        }
        guard.check(uri.getHost(), SourceRejectedException::refused);
    }

    /** Opens the body of {@code uri} after checking it and every redirect target. */
    public InputStream open(URI uri) throws IOException, SourceRejectedException {
        URI current = uri;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            check(current);
            HttpRequest request = HttpRequest.newBuilder(current)
                    .timeout(timeout)
                    .header("User-Agent", "clip4stream-ingest")
                    .GET()
                    .build();
            HttpResponse<InputStream> response;
            try {
                response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
            } catch (HttpTimeoutException e) {
                throw new IOException(
                        "no answer from " + current.getHost() + " within " + timeout.toSeconds() + " s", e);
            } catch (ConnectException e) {
                throw new IOException(
                        "cannot connect to " + current.getHost() + portOf(current) + " (connection"
                                + " refused or unreachable)",
                        e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while connecting to " + current.getHost(), e);
            }
            int status = response.statusCode();
            if (status >= 300 && status < 400) {
                response.body().close();
                String location = response.headers()
                        .firstValue("Location")
                        .orElseThrow(() -> new IOException("HTTP " + status + " without a Location header"));
                current = current.resolve(location);
                continue;
            }
            if (status < 200 || status >= 300) {
                response.body().close();
                throw new IOException("HTTP " + status + " from " + current.getHost() + current.getPath());
            }
            long declared =
                    response.headers().firstValueAsLong("Content-Length").orElse(-1);
            if (declared > maxBytes) {
                response.body().close();
                throw new SourceRejectedException(
                        413, "too_large", "The video is " + declared + " bytes; the limit is " + maxBytes);
            }
            return new Limited(response.body(), maxBytes);
        }
        throw new IOException("more than " + MAX_REDIRECTS + " redirects from " + uri.getHost());
    }

    private static String portOf(URI uri) {
        return uri.getPort() < 0 ? "" : ":" + uri.getPort();
    }

    /** Fails the read once more than the limit has been read. */
    private static final class Limited extends FilterInputStream {
        private final long limit;
        private long count;

        Limited(InputStream in, long limit) {
            super(in);
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(int n) throws IOException {
            count += n;
            if (count > limit) {
                throw new IOException("the video exceeds the download limit of " + limit + " bytes");
            }
        }
    }
}
