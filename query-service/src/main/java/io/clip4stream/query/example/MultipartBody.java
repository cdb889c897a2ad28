package io.clip4stream.query.example;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A {@code multipart/form-data} body (RFC 7578) read from bytes already bounded by the caller: its parts with their
 * field name, file name, content type and content.
 */
public final class MultipartBody {

    /**
     * One part.
     *
     * @param name the form field name ({@code Content-Disposition}'s {@code name}; null when absent)
     * @param fileName the file name, null for a plain field
     * @param contentType the part's content type, null when absent
     * @param content the part's bytes
     */
    public record Part(String name, String fileName, String contentType, byte[] content) {}

    private final List<Part> parts;

    private MultipartBody(List<Part> parts) {
        this.parts = List.copyOf(parts);
    }

    /** Every part, in order. */
    public List<Part> parts() {
        return parts;
    }

    /** The part named {@code name}, or else the first part carrying a file. */
    public Optional<Part> fileOrField(String name) {
        return parts.stream()
                .filter(p -> name.equals(p.name()))
                .findFirst()
                .or(() -> parts.stream().filter(p -> p.fileName() != null).findFirst());
    }

    /** The boundary of a {@code multipart/form-data} content type, or empty for any other type. */
    public static Optional<String> boundary(String contentType) {
        if (contentType == null || !contentType.strip().toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            return Optional.empty();
        }
        for (String parameter : contentType.split(";")) {
            String p = parameter.strip();
            if (p.toLowerCase(Locale.ROOT).startsWith("boundary=")) {
                String value = p.substring("boundary=".length()).strip();
                if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                    value = value.substring(1, value.length() - 1);
                }
                return value.isEmpty() ? Optional.empty() : Optional.of(value);
            }
        }
        return Optional.empty();
    }

    /**
     * Parses {@code body} with {@code boundary}.
     *
     * @throws IllegalArgumentException when the body is not multipart with that boundary
     */
    public static MultipartBody parse(byte[] body, String boundary) {
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        int at = indexOf(body, delimiter, 0);
        if (at < 0) {
            throw new IllegalArgumentException("the body holds no multipart boundary '" + boundary + "'");
        }
        byte[] next = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        List<Part> parts = new ArrayList<>();
        int position = at + delimiter.length;
        while (true) {
            if (startsWith(body, position, "--")) {
                return new MultipartBody(parts);
            }
            if (!startsWith(body, position, "\r\n")) {
                throw new IllegalArgumentException("malformed multipart body: no line break after a boundary");
            }
            int headersStart = position + 2;
            int headersEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), headersStart);
            if (headersEnd < 0) {
                throw new IllegalArgumentException("malformed multipart body: a part's headers never end");
            }
            int contentStart = headersEnd + 4;
            int contentEnd = indexOf(body, next, contentStart);
            if (contentEnd < 0) {
                throw new IllegalArgumentException("malformed multipart body: the last part is not closed");
            }
            parts.add(part(
                    new String(body, headersStart, headersEnd - headersStart, StandardCharsets.UTF_8),
                    Arrays.copyOfRange(body, contentStart, contentEnd)));
            position = contentEnd + next.length;
        }
    }

    private static Part part(String headers, byte[] content) {
        String name = null;
        String fileName = null;
        String contentType = null;
        for (String line : headers.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String header = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).strip();
            if (header.equals("content-type")) {
                contentType = value;
            } else if (header.equals("content-disposition")) {
                name = parameter(value, "name");
                fileName = parameter(value, "filename");
            }
        }
        return new Part(name, fileName, contentType, content);
    }

    private static String parameter(String disposition, String wanted) {
        for (String piece : disposition.split(";")) {
            String p = piece.strip();
            int eq = p.indexOf('=');
            if (eq > 0 && p.substring(0, eq).strip().equalsIgnoreCase(wanted)) {
                String value = p.substring(eq + 1).strip();
                if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                    value = value.substring(1, value.length() - 1);
                }
                return value;
            }
        }
        return null;
    }

    private static boolean startsWith(byte[] body, int at, String text) {
        byte[] expected = text.getBytes(StandardCharsets.ISO_8859_1);
        if (at + expected.length > body.length) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            if (body[at + i] != expected[i]) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] body, byte[] needle, int from) {
        outer:
        for (int i = Math.max(0, from); i <= body.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (body[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
