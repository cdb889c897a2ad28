package io.clip4stream.ingest.decode;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/** Where a video comes from: a file, a URL FFmpeg opens itself, or a non-seekable byte stream. */
public sealed interface VideoInput {
    /** A short description for messages (never secrets such as URL credentials). */
    String describe();

    /**
     * A local file; {@code follow} keeps reading as it grows (a live MPEG-TS file being written).
     *
     * @param path the file
     * @param follow whether to wait for more data at the end of the file
     */
    record FileInput(Path path, boolean follow) implements VideoInput {
        /** Validates the path. */
        public FileInput {
            Objects.requireNonNull(path, "path");
        }

        @Override
        public String describe() {
            return path.getFileName() == null
                    ? path.toString()
                    : path.getFileName().toString();
        }
    }

    /**
     * A URL opened by FFmpeg (RTSP, RTMP, SRT, UDP, TCP, HLS), with extra FFmpeg options.
     *
     * @param url the URL
     * @param options FFmpeg format/protocol options, e.g. {@code rtsp_transport=tcp}
     */
    record UrlInput(String url, Map<String, String> options) implements VideoInput {
        /** Validates and copies. */
        public UrlInput {
            Objects.requireNonNull(url, "url");
            options = Map.copyOf(options);
        }

        @Override
        public String describe() {
            int at = url.indexOf('@');
            int scheme = url.indexOf("://");
            return at > 0 && scheme > 0 && at > scheme ? url.substring(0, scheme + 3) + "…" + url.substring(at) : url;
        }
    }

    /**
     * A byte stream that cannot seek (an HTTP body); read in small chunks, never buffered whole.
     *
     * @param stream the bytes; closed with the decoder
     * @param description what the stream is, for messages
     */
    record StreamInput(InputStream stream, String description) implements VideoInput {
        /** Validates the stream. */
        public StreamInput {
            Objects.requireNonNull(stream, "stream");
            Objects.requireNonNull(description, "description");
        }

        @Override
        public String describe() {
            return description;
        }
    }
}
