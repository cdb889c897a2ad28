package io.clip4stream.ingest.media;

import java.nio.charset.StandardCharsets;

/**
 * The {@code Content-Type} of a stored video, told from its first bytes (uploads arrive without a trustworthy name or
 * type, and a browser refuses to play a video served with the wrong one).
 */
public final class VideoContentType {
    /** Bytes {@link #sniff} looks at. */
    public static final int HEAD_BYTES = 512;

    /** Answer for anything not recognised. */
    public static final String UNKNOWN = "application/octet-stream";

    private static final int TS_PACKET = 188;

    private VideoContentType() {}

    /** The media type of a file starting with {@code head} (up to {@link #HEAD_BYTES} of it). */
    public static String sniff(byte[] head) {
        if (head.length >= 12 && ascii(head, 4, 4).equals("ftyp")) {
            return ascii(head, 8, 4).equals("qt  ") ? "video/quicktime" : "video/mp4";
        }
        if (head.length >= 4
                && (head[0] & 0xff) == 0x1a
                && (head[1] & 0xff) == 0x45
                && (head[2] & 0xff) == 0xdf
                && (head[3] & 0xff) == 0xa3) {
            // EBML: the DocType element says whether it is the WebM subset of Matroska.
            return ascii(head, 0, head.length).contains("webm") ? "video/webm" : "video/x-matroska";
        }
        if (head.length >= 12
                && ascii(head, 0, 4).equals("RIFF")
                && ascii(head, 8, 4).equals("AVI ")) {
            return "video/x-msvideo";
        }
        if (head.length >= 4 && ascii(head, 0, 4).equals("OggS")) {
            return "video/ogg";
        }
        if (head.length >= 3 && ascii(head, 0, 3).equals("FLV")) {
            return "video/x-flv";
        }
        if (head.length > 2 * TS_PACKET && head[0] == 0x47 && head[TS_PACKET] == 0x47 && head[2 * TS_PACKET] == 0x47) {
            return "video/mp2t";
        }
        return UNKNOWN;
    }

    private static String ascii(byte[] bytes, int offset, int length) {
        return new String(bytes, offset, Math.min(length, bytes.length - offset), StandardCharsets.ISO_8859_1);
    }
}
