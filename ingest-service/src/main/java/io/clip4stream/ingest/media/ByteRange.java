package io.clip4stream.ingest.media;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One satisfiable byte range of a file of known size, parsed from an HTTP {@code Range} header (RFC 9110 §14).
 *
 * @param first first byte, inclusive
 * @param last last byte, inclusive
 * @param size size of the whole file
 */
public record ByteRange(long first, long last, long size) {
    private static final Pattern SINGLE = Pattern.compile("(\\d{0,18})-(\\d{0,18})");

    /** Validates the bounds. */
    public ByteRange {
        if (first < 0 || last < first || last >= size) {
            throw new IllegalArgumentException("bad range " + first + "-" + last + " of " + size);
        }
    }

    /** Bytes in the range. */
    public long length() {
        return last - first + 1;
    }

    /** The {@code Content-Range} value of a 206 answer. */
    public String contentRange() {
        return "bytes " + first + "-" + last + "/" + size;
    }

    /** The {@code Content-Range} value of a 416 answer for a file of {@code size} bytes. */
    public static String unsatisfiedContentRange(long size) {
        return "bytes */" + size;
    }

    /** Thrown for a byte range that cannot be served: malformed, or outside the file (HTTP 416). */
    public static final class UnsatisfiableException extends Exception {
        private static final long serialVersionUID = 1L;

        /** An unsatisfiable range with the reason. */
        public UnsatisfiableException(String message) {
            super(message);
        }
    }

    /**
     * The range a {@code Range} header asks for in a file of {@code size} bytes; empty means "send the whole file"
     * (no header, another unit, or several ranges, which RFC 9110 lets a server ignore: browsers ask for one).
     *
     * @throws UnsatisfiableException when the header asks for bytes yet names none that exist, or is malformed
     */
    public static Optional<ByteRange> parse(String header, long size) throws UnsatisfiableException {
        if (header == null || header.isBlank()) {
            return Optional.empty();
        }
        String value = header.strip();
        int eq = value.indexOf('=');
        if (eq < 0) {
            throw new UnsatisfiableException("Malformed Range header '" + header + "'");
        }
        if (!value.substring(0, eq).strip().equalsIgnoreCase("bytes")) {
            return Optional.empty();
        }
        String spec = value.substring(eq + 1).strip();
        if (spec.contains(",")) {
            return Optional.empty();
        }
        Matcher m = SINGLE.matcher(spec);
        if (!m.matches() || m.group(1).isEmpty() && m.group(2).isEmpty()) {
            throw new UnsatisfiableException("Malformed byte range '" + spec + "'");
        }
        if (m.group(1).isEmpty()) {
            // Suffix form "-n": the last n bytes.
            long suffix = Long.parseLong(m.group(2));
            if (suffix == 0 || size == 0) {
                throw new UnsatisfiableException("The range '" + spec + "' selects no bytes of " + size);
            }
            return Optional.of(new ByteRange(Math.max(0, size - suffix), size - 1, size));
        }
        long first = Long.parseLong(m.group(1));
        long last = m.group(2).isEmpty() ? size - 1 : Long.parseLong(m.group(2));
        if (last < first) {
            throw new UnsatisfiableException("The range '" + spec + "' ends before it starts");
        }
        if (first >= size) {
            throw new UnsatisfiableException("The range '" + spec + "' starts past the end of " + size + " bytes");
        }
        return Optional.of(new ByteRange(first, Math.min(last, size - 1), size));
    }
}
