package io.clip4stream.ingest.reencode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-version progress file: what a restart resumes from, and a version name that could escape its directory. */
class ReencodeProgressTest {
    @TempDir
    Path media;

    @Test
    void aFreshVersionStartsEmptyAndItsFileSaysItStarted() throws Exception {
        assertFalse(ReencodeProgress.started(media, "v2"));
        ReencodeProgress progress = ReencodeProgress.open(media, "v2");
        assertTrue(ReencodeProgress.started(media, "v2"));
        assertEquals(media.resolve(".reencode").resolve("v2"), progress.path());
        assertEquals(Set.of(), progress.reencoded());
        assertEquals(Set.of(), progress.marked());
        assertFalse(progress.complete());
    }

    @Test
    void whatWasRecordedIsReadBackByTheNextInstance() throws Exception {
        ReencodeProgress first = ReencodeProgress.open(media, "clip4clip-b16.v3");
        first.recordReencoded("up-1");
        first.recordReencoded("up-2");
        first.recordReencoded("up-1");
        first.recordMarked("cam-1");
        ReencodeProgress second = ReencodeProgress.open(media, "clip4clip-b16.v3");
        assertEquals(Set.of("up-1", "up-2"), second.reencoded());
        assertEquals(Set.of("cam-1"), second.marked());
        assertFalse(second.complete());
        assertEquals(
                "up-1\nup-2\n!cam-1\n", Files.readString(second.path(), StandardCharsets.UTF_8), "appended once each");

        second.recordComplete();
        assertTrue(ReencodeProgress.open(media, "clip4clip-b16.v3").complete());
    }

    @Test
    void aTornLastLineIsNotTakenForASourceAndIsCutOffBeforeTheNextLine() throws Exception {
        ReencodeProgress progress = ReencodeProgress.open(media, "v2");
        progress.recordReencoded("up-1");
        // A crash mid-append: "up-20" half written.
        Files.writeString(progress.path(), "up-1\nup-2", StandardCharsets.UTF_8);
        ReencodeProgress reopened = ReencodeProgress.open(media, "v2");
        assertEquals(Set.of("up-1"), reopened.reencoded());
        reopened.recordReencoded("up-3");
        assertEquals("up-1\nup-3\n", Files.readString(progress.path(), StandardCharsets.UTF_8));
    }

    @Test
    void everyVersionGetsItsOwnFileInsideTheDirectoryAndOnlyAnEmptyOneIsRefused() throws Exception {
        String[] versions = {
            "..",
            ".",
            "../v2",
            "a/b",
            "a\\b",
            "v 2",
            "x".repeat(300),
            "y".repeat(300),
            "base+seqTransf-20261206-e3",
            "a.b",
            "a%2Eb",
            "a%2eb",
            "%sha256-00",
            "v2",
            "V2",
            "é"
        };
        Set<Path> files = new java.util.HashSet<>();
        for (String version : versions) {
            assertTrue(ReencodeProgress.validVersion(version), version);
            Path file = ReencodeProgress.file(media, version);
            assertEquals(media.resolve(".reencode"), file.getParent(), version);
            assertTrue(file.getFileName().toString().matches("[A-Za-z0-9_%-]{1,200}"), file.toString());
            assertTrue(files.add(file), "two versions share " + file);
        }
        assertEquals("base%2BseqTransf-20261206-e3", ReencodeProgress.escaped("base+seqTransf-20261206-e3"));

        ReencodeProgress progress = ReencodeProgress.open(media, "base+seqTransf-20261206-e3");
        progress.recordReencoded("up-1");
        assertEquals(
                Set.of("up-1"),
                ReencodeProgress.open(media, "base+seqTransf-20261206-e3").reencoded());
        assertTrue(ReencodeProgress.started(media, "base+seqTransf-20261206-e3"));
        assertFalse(ReencodeProgress.started(media, "base seqTransf-20261206-e3"));

        for (String bad : new String[] {"", null}) {
            assertFalse(ReencodeProgress.validVersion(bad));
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> ReencodeProgress.open(media, bad));
            assertTrue(e.getMessage().contains("is empty"), e.getMessage());
        }
    }

    @Test
    void onlySourceIdsAreRecorded() throws Exception {
        ReencodeProgress progress = ReencodeProgress.open(media, "v2");
        assertThrows(IllegalArgumentException.class, () -> progress.recordReencoded("a\nb"));
        assertThrows(IllegalArgumentException.class, () -> progress.recordMarked("#complete"));
        assertEquals("", Files.readString(progress.path(), StandardCharsets.UTF_8));
    }
}
