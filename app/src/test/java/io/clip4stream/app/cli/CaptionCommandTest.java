package io.clip4stream.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.query.caption.CaptionRoutes;
import io.clip4stream.query.caption.CaptionStore;
import io.clip4stream.query.caption.CaptionValidator;
import io.clip4stream.runtime.http.HttpHost;
import io.clip4stream.schemas.avro.Caption;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code caption} against the query service's caption routes over HTTP, with captions kept in a list. */
class CaptionCommandTest {

    /** A store that keeps what it is given. */
    private static final class ListStore implements CaptionStore {
        final List<Caption> stored = new ArrayList<>();

        @Override
        public synchronized void append(List<Caption> captions) {
            stored.addAll(captions);
        }

        @Override
        public synchronized List<Caption> all() {
            return List.copyOf(stored);
        }
    }

    @TempDir
    Path dir;

    private final ListStore store = new ListStore();
    private HttpHost host;

    @BeforeEach
    void start() {
        CaptionRoutes routes = CaptionRoutes.ofCompleteIndex(
                new CaptionValidator(() -> 7L), store, () -> Map.of("cam-1", 60_000_000L), 1 << 20);
        host = HttpHost.builder("captions")
                .port(0)
                .bindAddress("127.0.0.1")
                .route(CaptionRoutes.PATH, routes::handle)
                .build()
                .start();
    }

    @AfterEach
    void stop() {
        host.close();
    }

    private int run(StringWriter out, StringWriter err, String... args) {
        List<String> all =
                new ArrayList<>(List.of("caption", "--url", host.uri().toString()));
        all.addAll(List.of(args));
        return Clip4StreamCommand.commandLine(new PrintWriter(out), new PrintWriter(err), Map.of())
                .execute(all.toArray(new String[0]));
    }

    @Test
    void storesOneCaptionWithTimesInSecondsOrAsSearchPrintsThem() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();

        assertEquals(0, run(out, err, "cam-1", "0:12.5", "24", "a red ball rolls"), err.toString());

        assertEquals(1, store.stored.size());
        assertEquals(12_500_000L, store.stored.get(0).getStartMicros());
        assertEquals(24_000_000L, store.stored.get(0).getEndMicros());
        assertTrue(out.toString().contains("cam-1 12.5-24.0 s  a red ball rolls"), out.toString());
    }

    @Test
    void printsTheServersReasonForAnUnknownSource() {
        StringWriter err = new StringWriter();

        assertEquals(1, run(new StringWriter(), err, "cam-9", "0", "5", "a red ball"));

        assertTrue(err.toString().startsWith("Error: unknown source 'cam-9'"), err.toString());
        assertTrue(store.stored.isEmpty());
    }

    @Test
    void importsJsonLinesAllOrNothing() throws Exception {
        Path good = Files.writeString(
                dir.resolve("good.jsonl"),
                "{\"source\":\"cam-1\",\"start\":0,\"end\":5,\"text\":\"a\"}\n"
                        + "{\"source\":\"cam-1\",\"start\":5,\"end\":10,\"text\":\"b\"}\n");
        Path bad = Files.writeString(
                dir.resolve("bad.jsonl"),
                "{\"source\":\"cam-1\",\"start\":0,\"end\":5,\"text\":\"c\"}\n"
                        + "{\"source\":\"cam-1\",\"start\":5,\"end\":90,\"text\":\"d\"}\n");
        StringWriter err = new StringWriter();

        assertEquals(0, run(new StringWriter(), err, "--import", good.toString()), err.toString());
        assertEquals(1, run(new StringWriter(), err, "--import", bad.toString()));

        assertEquals(2, store.stored.size());
        assertTrue(err.toString().contains("line 2") && err.toString().contains("beyond"), err.toString());
    }

    @Test
    void listsCaptionsOfOneSource() throws Exception {
        run(new StringWriter(), new StringWriter(), "cam-1", "30", "40", "later");
        run(new StringWriter(), new StringWriter(), "cam-1", "0", "10", "earlier");
        HttpResponse<String> answer;
        try (HttpClient http = HttpClient.newHttpClient()) {
            answer = http.send(
                    HttpRequest.newBuilder(URI.create(host.uri() + "/captions?source=cam-1"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        }

        assertEquals(200, answer.statusCode());
        assertTrue(answer.body().indexOf("earlier") < answer.body().indexOf("later"), answer.body());
    }
}
