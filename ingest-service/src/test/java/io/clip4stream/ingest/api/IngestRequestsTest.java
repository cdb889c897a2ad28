package io.clip4stream.ingest.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.clip4stream.ingest.source.SourceRejectedException;
import io.clip4stream.schemas.avro.IngestRequest;
import io.clip4stream.schemas.avro.SourceKind;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class IngestRequestsTest {
    private final AtomicInteger counter = new AtomicInteger();
    private final IngestRequests requests = new IngestRequests(
            new IngestRequests.Defaults(1.5, 12, 6), () -> "id" + counter.incrementAndGet(), () -> 1234L);

    private static SourceRegistration registration(String kind, String uri) {
        return new SourceRegistration(null, kind, uri, null, null, null, null, null, null);
    }

    @Test
    void infersLiveForStreamingProtocolsAndPlaylistsAndUrlOtherwise() {
        for (String live : List.of(
                "rtsp://cam/1",
                "RTSPS://cam/1",
                "rtmp://x/y",
                "srt://h:1",
                "udp://@:5000",
                "tcp://h:1",
                "rtp://h:1",
                "https://cdn.example/live/index.m3u8",
                "http://h/a.M3U8?token=1")) {
            assertEquals(SourceKind.LIVE, IngestRequests.inferKind(live), live);
        }
        for (String file : List.of("https://example.com/a.mp4", "/videos/a.mp4", "file:///a.mkv", "rtspx://nope")) {
            assertEquals(SourceKind.URL, IngestRequests.inferKind(file), file);
        }
    }

    @Test
    void fillsDefaultsAndKeepsWhatWasGiven() throws Exception {
        IngestRequest defaulted = requests.registration(registration(null, "  /videos/a.mp4 "));
        assertEquals("src-id2", defaulted.getSourceId());
        assertEquals("id1", defaulted.getRequestId());
        assertEquals(SourceKind.URL, defaulted.getKind());
        assertEquals("/videos/a.mp4", defaulted.getUri());
        assertEquals(1.5, defaulted.getSamplingFps());
        assertEquals(12, defaulted.getClipWindowFrames());
        assertEquals(6, defaulted.getClipStrideFrames());
        assertEquals("default", defaulted.getTenant());
        assertEquals(1234L, defaulted.getRequestedAtMillis());

        IngestRequest given = requests.registration(new SourceRegistration(
                "cam-7", "live", "https://h/a.mp4", 4.0, 8, 2, "acme", List.of("night"), Map.of("site", "north")));
        assertEquals("cam-7", given.getSourceId());
        assertEquals(SourceKind.LIVE, given.getKind(), "an explicit kind wins over inference");
        assertEquals(4.0, given.getSamplingFps());
        assertEquals(8, given.getClipWindowFrames());
        assertEquals(2, given.getClipStrideFrames());
        assertEquals("acme", given.getTenant());
        assertEquals(List.of("night"), given.getTags());
        assertEquals(Map.of("site", "north"), given.getMetadata());
    }

    @Test
    void aWindowAloneGivesNonOverlappingClips() throws Exception {
        IngestRequest request =
                requests.registration(new SourceRegistration(null, null, "/a.mp4", null, 20, null, null, null, null));
        assertEquals(20, request.getClipWindowFrames());
        assertEquals(20, request.getClipStrideFrames());
    }

    @Test
    void refusesMissingUrisUnknownKindsAndUploadsByRegistration() {
        assertEquals("bad_uri", code(() -> requests.registration(registration(null, " "))));
        assertEquals("bad_uri", code(() -> requests.registration(registration("URL", null))));
        assertEquals("bad_kind", code(() -> requests.registration(registration("tape", "/a.mp4"))));
        assertEquals("bad_kind", code(() -> requests.registration(registration("upload", "/a.mp4"))));
    }

    @Test
    void readsUploadParametersFromTheQueryAndRefusesMalformedNumbers() throws Exception {
        IngestRequest upload =
                requests.upload("up-1", "/kept/up-1.video", Map.of("fps", "2.5", "window", "4", "tenant", "t"));
        assertEquals(SourceKind.UPLOAD, upload.getKind());
        assertEquals("/kept/up-1.video", upload.getUri());
        assertEquals(2.5, upload.getSamplingFps());
        assertEquals(4, upload.getClipWindowFrames());
        assertEquals(4, upload.getClipStrideFrames());
        assertEquals("t", upload.getTenant());
        assertEquals("bad_parameter", code(() -> requests.upload("u", "/k", Map.of("fps", "fast"))));
        assertEquals("bad_parameter", code(() -> requests.upload("u", "/k", Map.of("stride", "1.5"))));
    }

    private interface Call {
        Object run() throws SourceRejectedException;
    }

    private static String code(Call call) {
        SourceRejectedException e = assertThrows(SourceRejectedException.class, call::run);
        assertEquals(400, e.httpStatus());
        return e.code();
    }
}
