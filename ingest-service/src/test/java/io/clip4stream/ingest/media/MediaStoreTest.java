package io.clip4stream.ingest.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.schemas.avro.IngestRequest;
import io.clip4stream.schemas.avro.SourceKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MediaStoreTest {
    @TempDir
    Path tmp;

    private Path root;
    private MediaStore store;

    @BeforeEach
    void setUp() throws Exception {
        root = Files.createDirectories(tmp.resolve("root"));
        store = new MediaStore(tmp.resolve("media"), root);
    }

    @Test
    void traversalAndMalformedIdsAreNotSourceIds() {
        for (String id : List.of(".", "..", "../x", "a/b", "/etc/passwd", "a\\b", "", "x".repeat(129), "a b", "é")) {
            assertFalse(MediaStore.validId(id), id);
            assertThrows(IllegalArgumentException.class, () -> store.find(id), id);
            assertThrows(IllegalArgumentException.class, () -> store.delete(id), id);
        }
        for (String id : List.of("cam-1", "holiday.2024", "...", "a..b", "x".repeat(128))) {
            assertTrue(MediaStore.validId(id), id);
        }
    }

    @Test
    void aStoredUploadIsFoundUntilDeleted() throws Exception {
        Path staged = Files.writeString(tmp.resolve("staged"), "video bytes");
        Path kept = store.store("up-1", staged);
        assertEquals(Optional.of(kept), store.find("up-1"));
        assertEquals("video bytes", Files.readString(kept));
        assertFalse(Files.exists(staged));
        Path again = store.store("up-1", Files.writeString(tmp.resolve("staged2"), "newer"));
        assertEquals(kept, again);
        assertEquals("newer", Files.readString(kept));
        assertTrue(store.delete("up-1"));
        assertEquals(Optional.empty(), store.find("up-1"));
        assertFalse(store.delete("up-1"));
    }

    @Test
    void onlyAnUploadCountsAsKeptNotAReferencedFile() throws Exception {
        assertFalse(store.keptUpload("up-1"));
        store.store("up-1", Files.writeString(tmp.resolve("staged"), "video bytes"));
        store.refer("path-1", Files.writeString(root.resolve("clip.mp4"), "v"));
        assertTrue(store.keptUpload("up-1"));
        assertFalse(store.keptUpload("path-1"), "playable, but not kept here: a re-encode cannot count on it");
        assertThrows(IllegalArgumentException.class, () -> store.keptUpload("../up-1"));
        store.delete("up-1");
        assertFalse(store.keptUpload("up-1"));
    }

    @Test
    void aReferencedFilePlaysOnlyWhileItLiesUnderTheRoot() throws Exception {
        Path video = Files.writeString(root.resolve("clip.mp4"), "v");
        store.refer("path-1", video);
        assertEquals(Optional.of(video.toRealPath()), store.find("path-1"));

        Path outside = Files.writeString(tmp.resolve("secret.txt"), "secret");
        store.refer("out-1", outside);
        assertEquals(Optional.empty(), store.find("out-1"), "a reference outside the root is never served");

        Files.delete(video);
        Files.createSymbolicLink(video, outside);
        assertEquals(Optional.empty(), store.find("path-1"), "a file swapped for a link out of the root");

        Files.delete(video);
        assertEquals(Optional.empty(), store.find("path-1"), "a file that is gone");
        assertTrue(store.delete("path-1"));
    }

    @Test
    void anUploadsRequestIsKeptBesideItUntilTheSourceIsDeleted() throws Exception {
        IngestRequest request = IngestRequest.newBuilder()
                .setRequestId("r-1")
                .setSourceId("up-1")
                .setKind(SourceKind.UPLOAD)
                .setUri(tmp.resolve("media/up-1.video").toString())
                .setSamplingFps(2.0)
                .setTenant("acme")
                .setTags(List.of("beach"))
                .setRequestedAtMillis(7)
                .build();
        store.keepRequest(request);
        store.store("up-1", Files.writeString(tmp.resolve("staged"), "video bytes"));
        assertEquals(Optional.of(request), store.keptRequest("up-1"));
        assertEquals(Optional.empty(), store.keptRequest("up-2"));
        try (var files = Files.list(tmp.resolve("media"))) {
            assertEquals(
                    List.of("up-1.request", "up-1.video"),
                    files.map(f -> f.getFileName().toString()).sorted().toList(),
                    "no partial file is left behind");
        }
        assertTrue(store.delete("up-1"));
        assertEquals(Optional.empty(), store.keptRequest("up-1"));
    }

    @Test
    void uploadsListsKeptVideosOnlyNotReferencesRequestsOrPartials() throws Exception {
        assertEquals(List.of(), new MediaStore(tmp.resolve("absent"), root).uploads());
        store.store("b-2", Files.writeString(tmp.resolve("s1"), "v"));
        store.store("a-1", Files.writeString(tmp.resolve("s2"), "v"));
        store.refer("path-1", Files.writeString(root.resolve("clip.mp4"), "v"));
        Files.writeString(tmp.resolve("media/c-3-1234.partial"), "half");
        Files.writeString(tmp.resolve("media/..video"), "not an id");
        assertEquals(List.of("a-1", "b-2"), store.uploads());
    }

    @Test
    void aDamagedKeptRequestIsAnErrorNamingTheFile() throws Exception {
        Files.createDirectories(tmp.resolve("media"));
        Files.write(tmp.resolve("media/up-1.request"), new byte[] {1, 2, 3});
        IOException e = assertThrows(IOException.class, () -> store.keptRequest("up-1"));
        assertTrue(e.getMessage().contains("up-1.request"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> store.keptRequest("../x"));
    }
}
