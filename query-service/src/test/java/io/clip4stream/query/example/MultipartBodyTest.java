package io.clip4stream.query.example;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MultipartBodyTest {
    private static final String BOUNDARY = "----clip4stream-test-7f3a";

    private static byte[] body(byte[] image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("--" + BOUNDARY + "\r\n"
                        + "Content-Disposition: form-data; name=\"note\"\r\n\r\n"
                        + "hello\r\n"
                        + "--" + BOUNDARY + "\r\n"
                        + "Content-Disposition: form-data; name=\"image\"; filename=\"photo.png\"\r\n"
                        + "Content-Type: image/png\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        out.writeBytes(image);
        out.writeBytes(("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    @Test
    void shouldFindTheBoundaryOfAFormDataContentTypeOnly() {
        assertEquals(Optional.of("abc"), MultipartBody.boundary("multipart/form-data; boundary=abc"));
        assertEquals(Optional.of("a b"), MultipartBody.boundary("Multipart/Form-Data; charset=x; boundary=\"a b\""));
        assertEquals(Optional.empty(), MultipartBody.boundary("image/png"));
        assertEquals(Optional.empty(), MultipartBody.boundary(null));
        assertEquals(Optional.empty(), MultipartBody.boundary("multipart/form-data"));
    }

    @Test
    void shouldReadEveryPartWithItsBinaryContentIntact() {
        // Bytes that look like line breaks and dashes must survive: only the full delimiter ends a part.
        byte[] image = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', '-', '-', 0, (byte) 0xff, '\r', '\n'};
        MultipartBody body = MultipartBody.parse(body(image), BOUNDARY);
        assertEquals(2, body.parts().size());
        MultipartBody.Part note = body.parts().get(0);
        assertEquals("note", note.name());
        assertNull(note.fileName());
        assertArrayEquals("hello".getBytes(StandardCharsets.UTF_8), note.content());
        MultipartBody.Part file = body.fileOrField("image").orElseThrow();
        assertEquals("photo.png", file.fileName());
        assertEquals("image/png", file.contentType());
        assertArrayEquals(image, file.content());
        assertEquals("photo.png", body.fileOrField("other").orElseThrow().fileName(), "falls back to the file");
    }

    @Test
    void shouldRefuseABodyWithoutTheBoundaryOrWithAnUnclosedPart() {
        assertThrows(
                IllegalArgumentException.class,
                () -> MultipartBody.parse("no parts here".getBytes(StandardCharsets.UTF_8), BOUNDARY));
        byte[] whole = body(new byte[] {1, 2, 3});
        byte[] cut = java.util.Arrays.copyOf(whole, whole.length - BOUNDARY.length() - 8);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> MultipartBody.parse(cut, BOUNDARY));
        assertTrue(e.getMessage().contains("not closed"), e.getMessage());
    }
}
