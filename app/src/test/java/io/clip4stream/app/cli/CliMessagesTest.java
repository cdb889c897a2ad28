package io.clip4stream.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.clip4stream.schemas.avro.IngestState;
import io.clip4stream.schemas.avro.IngestStatus;
import io.clip4stream.schemas.avro.SourceKind;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exact first line of every message the CLI prints for a user's mistake or a refused request. */
class CliMessagesTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final List<String> requests = new ArrayList<>();
    private HttpServer server;

    private int run(Map<String, String> environment, String... args) {
        return Clip4StreamCommand.commandLine(new PrintWriter(out, true), new PrintWriter(err, true), environment)
                .execute(args);
    }

    private int run(String... args) {
        return run(Map.of("XDG_STATE_HOME", dir.resolve("state").toString()), args);
    }

    private String firstErrLine() {
        return err.toString().lines().findFirst().orElse("");
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.stop(0);
        }
    }

    /** A fake ingest API answering every request with {@code status} and {@code body}, recording method and path. */
    private String fakeIngest(int status, String body) throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            requests.add(
                    exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath());
            JsonAnswer.send(exchange, status, body);
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Test
    void ingestOfAMissingPathSaysNoSuchFileAndExits2() {
        assertEquals(2, run("ingest", dir.resolve("nope.mp4").toString()));
        assertEquals("Error: no such file: " + dir.resolve("nope.mp4"), firstErrLine());
        assertEquals(1, err.toString().lines().count(), err.toString());
    }

    @Test
    void ingestOfAFolderWithoutVideosSaysWhatItLookedFor() throws Exception {
        Files.writeString(dir.resolve("notes.txt"), "no video");
        assertEquals(2, run("ingest", dir.toString()));
        assertEquals(
                "Error: no video files in " + dir + " (looked for .3gp, .avi, .flv, .m2ts, .m4v, .mkv, .mov, .mp4,"
                        + " .mpeg, .mpg, .mts, .ogv, .ts, .webm, .wmv; --recursive also looks in subfolders)",
                firstErrLine());
    }

    @Test
    void ingestOfSeveralSourcesWithOneIdIsRefused() throws Exception {
        Path a = Files.write(dir.resolve("a.mp4"), new byte[] {1});
        Path b = Files.write(dir.resolve("b.mp4"), new byte[] {1});
        assertEquals(2, run("ingest", a.toString(), b.toString(), "--id", "x"));
        assertEquals("Error: --id names a single source; 2 were given", firstErrLine());
    }

    @Test
    void ingestPrintsTheServersMessageWithoutUrlsOrInternalNames() throws Exception {
        Path noise = Files.write(dir.resolve("noise.mp4"), new byte[] {1, 2, 3});
        String url = fakeIngest(
                422,
                "{\"error\":{\"code\":\"not_a_video\",\"message\":\"The upload is not a usable video: the file is"
                        + " not a video FFmpeg can read\"}}");
        assertEquals(1, run("ingest", noise.toString(), "--ingest-url", url, "--query-url", url));
        assertEquals(
                "Error: The upload is not a usable video: the file is not a video FFmpeg can read", firstErrLine());
        assertFalse(err.toString().contains("http://"), err.toString());
        assertEquals(List.of("POST /sources/upload"), requests);
    }

    @Test
    void ingestWithoutARunningInstanceSaysHowToStartOne() throws Exception {
        Path video = Files.write(dir.resolve("v.mp4"), new byte[] {1});
        assertEquals(1, run("ingest", video.toString()));
        assertEquals(
                "Error: No running Clip4Stream found (" + dir.resolve("state/clip4stream/run.json")
                        + " is missing): start one with 'bin/clip4stream run', or pass the service URLs",
                firstErrLine());
    }

    @Test
    void commandsFindTheRunThroughTheStateDirectoryFromAnyWorkingDirectory() throws Exception {
        String url = fakeIngest(202, "{\"sourceId\":\"x\",\"state\":\"DELETING\"}");
        new RunFile(java.net.URI.create(url), java.net.URI.create(url), "127.0.0.1:1")
                .write(dir.resolve("state").resolve("clip4stream"));
        assertEquals(0, run("sources", "delete", "x"));
        assertEquals(
                "Deleted x: its clips are leaving the index.", out.toString().strip());
        assertEquals(List.of("DELETE /sources/x"), requests);
    }

    @Test
    void sourcesDeletePrintsTheServersMessage() throws Exception {
        String url = fakeIngest(404, "{\"error\":{\"code\":\"not_found\",\"message\":\"No source nope\"}}");
        assertEquals(1, run("sources", "delete", "nope", "--ingest-url", url));
        assertEquals("Error: No source nope", firstErrLine());
    }

    @Test
    void helpPrintsUsageOnlyEvenWithoutTheRequiredParameters() {
        for (String command : new String[] {"ingest", "search", "sources delete", "probe"}) {
            out.getBuffer().setLength(0);
            err.getBuffer().setLength(0);
            List<String> args = new ArrayList<>(List.of(command.split(" ")));
            args.add("--help");
            assertEquals(0, run(args.toArray(String[]::new)), command);
            assertTrue(out.toString().startsWith("Usage: clip4stream " + command), out.toString());
            assertEquals("", err.toString(), command);
        }
    }

    @Test
    void runRefusesABusyPortBeforeStartingAnything() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = busy.getLocalPort();
            assertEquals(2, run("run", "--port", Integer.toString(port), "--data-dir", dir.toString()));
            assertEquals(
                    "Port " + port + " is already in use (another Clip4Stream, or another program): stop it, or"
                            + " choose another port with --port.",
                    firstErrLine());
            assertEquals("", out.toString());
            assertFalse(Files.exists(dir.resolve("kafka")), "nothing started");
        }
    }

    @Test
    void stateDirectoryFollowsXdgThenHome() {
        assertEquals(Path.of("/s/clip4stream"), StateDirectory.resolve(null, Map.of("XDG_STATE_HOME", "/s")));
        assertEquals(Path.of("/h/.local/state/clip4stream"), StateDirectory.resolve(null, Map.of("HOME", "/h")));
        assertEquals(
                dir.resolve("given"), StateDirectory.resolve(dir.resolve("given"), Map.of("XDG_STATE_HOME", "/s")));
    }

    @Test
    void serverMessageFallsBackToTheStatusWhenTheBodyHasNone() {
        assertEquals("No source x", ServerMessage.of(404, "{\"error\":{\"message\":\"No source x\"}}"));
        assertEquals("the service answered HTTP 502", ServerMessage.of(502, "<html>Bad gateway</html>"));
    }

    @Test
    void tableColumnsAreAsWideAsTheirWidestCell() {
        StringWriter text = new StringWriter();
        new TextTable(List.of("source", "clips"), Set.of(1))
                .row("a-very-long-source-name-beyond-24-characters", 5)
                .row("b", 12)
                .print(new PrintWriter(text, true));
        assertEquals(
                List.of(
                        "source                                        clips",
                        "a-very-long-source-name-beyond-24-characters      5",
                        "b                                                12"),
                text.toString().lines().toList());
    }

    @Test
    void progressLinesSayWhatHappenedToASource() {
        IngestStatus.Builder status = IngestStatus.newBuilder()
                .setSourceId("cam")
                .setKind(SourceKind.UPLOAD)
                .setUpdatedAtMillis(0)
                .setClipsEmitted(4);
        assertTrue(ProgressLine.of(null, status.setState(IngestState.ACCEPTED).build())
                .isEmpty());
        assertEquals(
                "cam: ingesting…",
                ProgressLine.of(
                                IngestState.ACCEPTED,
                                status.setState(IngestState.DECODING).build())
                        .orElseThrow());
        assertTrue(ProgressLine.of(IngestState.DECODING, status.build()).isEmpty(), "no line per progress tick");
        assertEquals(
                "cam: done, 4 clips searchable",
                ProgressLine.of(
                                IngestState.DECODING,
                                status.setState(IngestState.DONE).build())
                        .orElseThrow());
        assertEquals(
                "cam: done with a warning, 4 clips searchable: Truncated: x; indexed 0:00.0-0:04.0",
                ProgressLine.of(
                                IngestState.DECODING,
                                status.setState(IngestState.DONE)
                                        .setReason("Truncated: x; indexed 0:00.0-0:04.0")
                                        .build())
                        .orElseThrow());
        assertEquals(
                "cam: failed: the URL answered 404",
                ProgressLine.of(
                                IngestState.DECODING,
                                status.setState(IngestState.FAILED)
                                        .setReason("the URL answered 404")
                                        .build())
                        .orElseThrow());
    }
}
