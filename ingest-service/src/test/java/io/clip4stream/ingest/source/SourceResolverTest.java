package io.clip4stream.ingest.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.clip4stream.ingest.IngestConfig;
import io.clip4stream.runtime.net.AddressGuard;
import io.clip4stream.schemas.avro.IngestRequest;
import io.clip4stream.schemas.avro.SourceKind;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Path traversal, the SSRF guard (flag off and on) and parameter checks. */
class SourceResolverTest {
    @TempDir
    Path dir;

    private SourceResolver resolver(boolean allowPrivate, AddressGuard.HostResolver dns) throws Exception {
        AddressGuard guard = new AddressGuard(allowPrivate, IngestConfig.ALLOW_PRIVATE_URLS.name(), dns);
        return new SourceResolver(
                Files.createDirectories(dir.resolve("root")),
                Files.createDirectories(dir.resolve("uploads")),
                guard,
                new HttpVideoFetcher(guard, Duration.ofSeconds(2), 1 << 20));
    }

    private static AddressGuard.HostResolver dns(String... addresses) {
        return host -> {
            List<InetAddress> out = new java.util.ArrayList<>();
            for (String a : addresses) {
                out.add(InetAddress.getByName(a));
            }
            return out;
        };
    }

    private static IngestRequest request(SourceKind kind, String uri) {
        return request("s-1", kind, uri, 1.0, 12, 12);
    }

    private static IngestRequest request(String id, SourceKind kind, String uri, double fps, int window, int stride) {
        return IngestRequest.newBuilder()
                .setRequestId("r")
                .setSourceId(id)
                .setKind(kind)
                .setUri(uri)
                .setSamplingFps(fps)
                .setClipWindowFrames(window)
                .setClipStrideFrames(stride)
                .setRequestedAtMillis(0)
                .build();
    }

    private static SourceRejectedException refused(SourceResolver resolver, IngestRequest request) {
        return assertThrows(SourceRejectedException.class, () -> resolver.resolve(request));
    }

    @Test
    void pathInsideTheRootIsCanonicalised() throws Exception {
        SourceResolver resolver = resolver(false, dns("93.184.216.34"));
        Files.createDirectories(dir.resolve("root/a"));
        Files.writeString(dir.resolve("root/a/v.mp4"), "x");
        ResolvedSource source = resolver.resolve(request(SourceKind.URL, "a/../a/v.mp4"));
        assertEquals(dir.resolve("root/a/v.mp4").toRealPath(), ((ResolvedSource.LocalFile) source).path());
    }

    @Test
    void traversalOutOfTheRootIsRefused() throws Exception {
        SourceResolver resolver = resolver(false, dns("93.184.216.34"));
        Files.writeString(dir.resolve("secret"), "x");
        SourceRejectedException e = refused(resolver, request(SourceKind.URL, "../secret"));
        assertEquals(403, e.httpStatus());
        assertEquals(
                403,
                refused(resolver, request(SourceKind.URL, dir.resolve("secret").toString()))
                        .httpStatus());
        assertEquals(
                403,
                refused(resolver, request(SourceKind.URL, "file://" + dir.resolve("secret")))
                        .httpStatus());
    }

    @Test
    void symbolicLinkPointingOutOfTheRootIsRefused() throws Exception {
        SourceResolver resolver = resolver(false, dns("93.184.216.34"));
        Files.writeString(dir.resolve("secret"), "x");
        Files.createSymbolicLink(dir.resolve("root/link.mp4"), dir.resolve("secret"));
        assertEquals(403, refused(resolver, request(SourceKind.URL, "link.mp4")).httpStatus());
    }

    @Test
    void missingFileUnderTheRootIs404() throws Exception {
        assertEquals(
                404,
                refused(resolver(false, dns("1.1.1.1")), request(SourceKind.URL, "nope.mp4"))
                        .httpStatus());
    }

    @Test
    void loopbackUrlIsRefusedWhenPrivateTargetsAreNotAllowed() throws Exception {
        // A real local HTTP server: with the flag off it is never contacted.
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
        int[] hits = {0};
        server.createContext("/", exchange -> {
            hits[0]++;
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/v.mp4";
            SourceRejectedException e = refused(
                    resolver(false, host -> List.of(InetAddress.getAllByName(host))), request(SourceKind.URL, url));
            assertEquals(403, e.httpStatus());
            assertTrue(e.getMessage().contains("loopback"), e.getMessage());
            assertEquals(0, hits[0]);
            ResolvedSource allowed = resolver(true, host -> List.of(InetAddress.getAllByName(host)))
                    .resolve(request(SourceKind.URL, url));
            assertInstanceOf(ResolvedSource.HttpFile.class, allowed);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void everyResolvedAddressIsChecked() throws Exception {
        SourceRejectedException e = refused(
                resolver(false, dns("93.184.216.34", "10.1.2.3")),
                request(SourceKind.URL, "http://mixed.example/v.mp4"));
        assertTrue(e.getMessage().contains("10.1.2.3") && e.getMessage().contains("private"), e.getMessage());
    }

    @Test
    void privateRangesAreRecognised() throws Exception {
        for (Map.Entry<String, String> c : Map.of(
                        "169.254.169.254", "link-local",
                        "192.168.1.1", "private",
                        "172.16.0.1", "private",
                        "100.64.0.1", "carrier-grade NAT",
                        "0.0.0.0", "unspecified",
                        "::1", "loopback",
                        "fd00::1", "unique-local",
                        "fe80::1", "link-local",
                        "::ffff:127.0.0.1", "loopback")
                .entrySet()) {
            String kind = AddressGuard.forbiddenKind(InetAddress.getByName(c.getKey()));
            assertTrue(kind != null && kind.contains(c.getValue()), c.getKey() + " -> " + kind);
        }
        assertEquals(null, AddressGuard.forbiddenKind(InetAddress.getByName("93.184.216.34")));
    }

    @Test
    void liveStreamsAreGuardedToo() throws Exception {
        assertEquals(
                403,
                refused(resolver(false, dns("192.168.0.10")), request(SourceKind.LIVE, "rtsp://cam.lan/stream"))
                        .httpStatus());
        ResolvedSource live =
                resolver(true, dns("192.168.0.10")).resolve(request(SourceKind.LIVE, "rtsp://cam.lan/stream"));
        assertEquals(Map.of("rtsp_transport", "tcp"), ((ResolvedSource.Stream) live).options());
    }

    @Test
    void unresolvableHostAndBadSchemesAreRefused() throws Exception {
        SourceResolver resolver = resolver(false, host -> {
            throw new java.net.UnknownHostException(host);
        });
        assertEquals(
                400,
                refused(resolver, request(SourceKind.URL, "http://nowhere.invalid/v.mp4"))
                        .httpStatus());
        assertEquals(
                400, refused(resolver, request(SourceKind.URL, "ftp://x/v.mp4")).httpStatus());
        assertEquals(
                400, refused(resolver, request(SourceKind.LIVE, "gopher://x/v")).httpStatus());
    }

    @Test
    void parametersAreChecked() {
        IngestRequest bad = request("s-1", SourceKind.URL, "v.mp4", 1, 4, 5);
        assertEquals(
                400,
                assertThrows(SourceRejectedException.class, () -> SourceResolver.checkParameters(bad))
                        .httpStatus());
        IngestRequest badId = request("../x", SourceKind.URL, "v.mp4", 1, 12, 12);
        assertThrows(SourceRejectedException.class, () -> SourceResolver.checkParameters(badId));
        IngestRequest badFps = request("s-1", SourceKind.URL, "v.mp4", 0, 12, 12);
        assertThrows(SourceRejectedException.class, () -> SourceResolver.checkParameters(badFps));
    }

    @Test
    void redirectToAForbiddenTargetIsRefusedAtTheHop() throws Exception {
        // Public name first, then a redirect to loopback: the fetcher checks the hop and refuses it.
        AddressGuard guard = new AddressGuard(
                false,
                IngestConfig.ALLOW_PRIVATE_URLS.name(),
                host -> host.equals("public.example")
                        ? List.of(InetAddress.getByName("93.184.216.34"))
                        : List.of(InetAddress.getAllByName(host)));
        HttpVideoFetcher fetcher = new HttpVideoFetcher(guard, Duration.ofSeconds(2), 1 << 20);
        SourceRejectedException e =
                assertThrows(SourceRejectedException.class, () -> fetcher.check(URI.create("http://127.0.0.1:1/x")));
        assertEquals(403, e.httpStatus());
    }
}
