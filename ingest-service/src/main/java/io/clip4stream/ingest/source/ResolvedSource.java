package io.clip4stream.ingest.source;

import io.clip4stream.ingest.decode.VideoInput;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

/** A source that passed every check, and how to open it. */
public sealed interface ResolvedSource {
    /** Opens the input the decoder reads (for URLs this connects). */
    VideoInput open() throws IOException, SourceRejectedException;

    /** Whether the source never ends on its own. */
    boolean live();

    /**
     * A local file under the ingest root (or the upload directory).
     *
     * @param path the canonical path
     * @param live whether it is a growing file to follow
     */
    record LocalFile(Path path, boolean live) implements ResolvedSource {
        @Override
        public VideoInput open() {
            return new VideoInput.FileInput(path, live);
        }
    }

    /**
     * An http(s) URL read through {@link HttpVideoFetcher}, redirects checked hop by hop.
     *
     * @param uri the URL
     * @param fetcher the fetcher
     */
    record HttpFile(URI uri, HttpVideoFetcher fetcher) implements ResolvedSource {
        @Override
        public VideoInput open() throws IOException, SourceRejectedException {
            return new VideoInput.StreamInput(fetcher.open(uri), uri.getHost() + uri.getPath());
        }

        @Override
        public boolean live() {
            return false;
        }
    }

    /**
     * A live stream FFmpeg opens itself (RTSP, RTMP, SRT, UDP, TCP, HLS).
     *
     * @param url the stream URL
     * @param options FFmpeg options
     */
    record Stream(String url, Map<String, String> options) implements ResolvedSource {
        @Override
        public VideoInput open() {
            return new VideoInput.UrlInput(url, options);
        }

        @Override
        public boolean live() {
            return true;
        }
    }
}
