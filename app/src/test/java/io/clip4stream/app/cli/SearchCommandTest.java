package io.clip4stream.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.ModelOptions;
import io.clip4stream.model.weights.TinyModelGenerator;
import io.clip4stream.model.weights.TinyModelShape;
import io.clip4stream.query.QueryConfig;
import io.clip4stream.query.QueryService;
import io.clip4stream.query.bench.InMemoryIndexServer;
import io.clip4stream.runtime.config.Env;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code clip4stream search} against a real query service (tiny model) over an in-memory index instance. */
class SearchCommandTest {
    private static final String KEY = "search-command-key-0123";

    @TempDir
    Path modelDir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Clip4StreamCommand.commandLine(new PrintWriter(out, true), new PrintWriter(err, true), Map.of())
                .execute(args);
    }

    @Test
    void shouldPrintHitsAsATableOrJsonAndFailReadably() throws Exception {
        new TinyModelGenerator(3).generate(modelDir, TinyModelShape.defaults(), "tiny-cli");
        try (Clip4ClipModel model = Clip4ClipModel.load(
                modelDir,
                ModelOptions.defaults()
                        .withDevice(ModelOptions.DeviceChoice.CPU)
                        .withIntraOpThreads(1))) {
            int dim = model.info().embedDim();
            List<InMemoryIndexServer.ClipInfo> clips = new ArrayList<>();
            float[] vectors = new float[6 * dim];
            SplittableRandom random = new SplittableRandom(5);
            for (int i = 0; i < 6; i++) {
                // Odd clips come from a live camera, whose video is not stored: no play link for them.
                String source = i % 2 == 0 ? "street" : "cam";
                clips.add(new InMemoryIndexServer.ClipInfo(
                        source + ":" + i,
                        source,
                        i,
                        i * 12_000_000L,
                        (i + 1) * 12_000_000L,
                        "default",
                        List.of(),
                        model.info().modelVersion(),
                        null));
                double norm = 0;
                for (int d = 0; d < dim; d++) {
                    vectors[i * dim + d] = (float) random.nextGaussian();
                    norm += vectors[i * dim + d] * vectors[i * dim + d];
                }
                for (int d = 0; d < dim; d++) {
                    vectors[i * dim + d] /= (float) Math.sqrt(norm);
                }
            }
            float[][] frames = new float[2][dim];
            com.sun.net.httpserver.HttpServer ingest =
                    com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
            // A stand-in ingest service storing the video of "street" only (the media route's 404 otherwise).
            ingest.createContext("/sources/", exchange -> {
                boolean stored = exchange.getRequestURI().getPath().equals("/sources/street/media");
                if (stored) {
                    exchange.getResponseHeaders().add("Content-Range", "bytes 0-0/100");
                    exchange.sendResponseHeaders(206, 1);
                    exchange.getResponseBody().write(0);
                } else {
                    exchange.sendResponseHeaders(404, -1);
                }
                exchange.close();
            });
            ingest.start();
            try (InMemoryIndexServer index = new InMemoryIndexServer(clips, vectors, dim, o -> frames, List.of(0))) {
                QueryService service = new QueryService(
                        QueryConfig.fromEnv(new Env(Map.of(
                                "CLIP4S_QUERY_HTTP_PORT", "0",
                                "CLIP4S_QUERY_BIND_ADDRESS", "127.0.0.1",
                                "CLIP4S_QUERY_INDEX_DISCOVERY", "static",
                                "CLIP4S_QUERY_INDEX_URLS", index.uri().toString(),
                                "CLIP4S_QUERY_SHARD_TIMEOUT_MS", "30000",
                                "CLIP4S_QUERY_INGEST_URL",
                                        "http://127.0.0.1:"
                                                + ingest.getAddress().getPort(),
                                "CLIP4S_QUERY_API_KEYS", KEY))),
                        model);
                service.start();
                try {
                    String url = service.uri().toString();
                    assertEquals(
                            0,
                            run("search", "a man riding a red bike", "--k", "3", "--url", url, "--api-key", KEY),
                            err.toString());
                    String table = out.toString();
                    assertTrue(table.startsWith("3 hits for \"a man riding a red bike\" (tight re-rank"), table);
                    List<String> hitRows = table.lines()
                            .skip(2)
                            .filter(line -> !line.startsWith("play: "))
                            .toList();
                    assertEquals(3, hitRows.size(), table);
                    assertTrue(
                            hitRows.stream().allMatch(line -> line.contains(" street ") || line.contains(" cam ")),
                            table);

                    // Every hit of the stored video links to it at the hit's time; the live camera's hits say why not.
                    out.getBuffer().setLength(0);
                    assertEquals(0, run("search", "a street", "--k", "6", "--url", url, "--api-key", KEY));
                    List<String> rows = out.toString().lines().skip(2).limit(6).toList();
                    assertEquals(6, rows.size(), out.toString());
                    for (String row : rows) {
                        if (row.contains(" street ")) {
                            assertTrue(
                                    java.util.regex.Pattern.compile(url.replaceAll("/$", "")
                                                    + "/media/street\\?expires=\\d+&sig=\\S+#t=\\d+\\.0,\\d+\\.0$")
                                            .matcher(row.strip())
                                            .find(),
                                    row);
                        } else {
                            assertTrue(row.contains(" cam ") && row.strip().endsWith(" -"), row);
                        }
                    }
                    assertTrue(
                            out.toString()
                                    .contains("play: '-' where the source keeps no video (live streams and URLs are"
                                            + " not stored)."),
                            out.toString());

                    out.getBuffer().setLength(0);
                    assertEquals(0, run("search", "a dog", "--k", "2", "--json", "--url", url, "--api-key", KEY));
                    JsonNode json = new ObjectMapper().readTree(out.toString());
                    assertEquals(2, json.get("hits").size());
                    assertEquals("a dog", json.get("query").asText());

                    assertEquals(1, run("search", "a dog", "--url", url));
                    // The server's sentence, without the status code, URL or JSON around it.
                    assertEquals(
                            "Error: A valid API key is required (header X-Api-Key)",
                            err.toString().lines().findFirst().orElse(""));

                    // By example: a clip's own vector finds the others, never itself.
                    out.getBuffer().setLength(0);
                    assertEquals(
                            0,
                            run(
                                    "search",
                                    "--similar",
                                    "street:2",
                                    "--k",
                                    "5",
                                    "--json",
                                    "--url",
                                    url,
                                    "--api-key",
                                    KEY),
                            err.toString());
                    JsonNode similar = new ObjectMapper().readTree(out.toString());
                    assertEquals(5, similar.get("hits").size());
                    assertEquals("clip street:2", similar.get("example").asText());
                    similar.get("hits")
                            .forEach(hit ->
                                    assertTrue(!hit.get("clipId").asText().equals("street:2")));

                    Path photo = modelDir.resolve("photo.png");
                    java.awt.image.BufferedImage picture =
                            new java.awt.image.BufferedImage(32, 24, java.awt.image.BufferedImage.TYPE_INT_RGB);
                    picture.setRGB(3, 4, 0xff0000);
                    javax.imageio.ImageIO.write(picture, "png", photo.toFile());
                    out.getBuffer().setLength(0);
                    assertEquals(
                            0,
                            run("search", "--image", photo.toString(), "--k", "2", "--url", url, "--api-key", KEY),
                            err.toString());
                    String imageTable = out.toString();
                    assertTrue(imageTable.startsWith("2 hits for image ("), imageTable);
                    assertTrue(imageTable.contains("first-stage order"), imageTable);

                    out.getBuffer().setLength(0);
                    assertEquals(
                            0,
                            run(
                                    "search",
                                    "a dog",
                                    "--image",
                                    photo.toString(),
                                    "--weight",
                                    "0.25",
                                    "--k",
                                    "2",
                                    "--url",
                                    url,
                                    "--api-key",
                                    KEY),
                            err.toString());
                    assertTrue(out.toString().contains("weight 0.25"), out.toString());

                    err.getBuffer().setLength(0);
                    assertEquals(1, run("search", "--similar", "no-such-clip", "--url", url, "--api-key", KEY));
                    // The server's sentence (no status code, no JSON).
                    assertTrue(
                            err.toString().startsWith("Error: ")
                                    && !err.toString().contains("{"),
                            err.toString());
                    assertEquals(2, run("search", "--url", url));
                    assertEquals(2, run("search", "--image", photo.toString(), "--similar", "street:1"));
                } finally {
                    service.close();
                }
            } finally {
                ingest.stop(0);
            }
        }
    }

    @Test
    void shouldPrintWhyNothingIsFoundWhenTheServedVersionHoldsNoClips() throws Exception {
        new TinyModelGenerator(3).generate(modelDir, TinyModelShape.defaults(), "tiny-cli");
        try (Clip4ClipModel model = Clip4ClipModel.load(
                modelDir,
                ModelOptions.defaults()
                        .withDevice(ModelOptions.DeviceChoice.CPU)
                        .withIntraOpThreads(1))) {
            int dim = model.info().embedDim();
            List<InMemoryIndexServer.ClipInfo> clips = new ArrayList<>();
            float[] vectors = new float[2 * dim];
            for (int i = 0; i < 2; i++) {
                // Embedded by another model version: the served one holds nothing.
                clips.add(new InMemoryIndexServer.ClipInfo(
                        "street:" + i, "street", i, 0, 12_000_000L, "default", List.of(), "model-a", null));
                vectors[i * dim + i] = 1;
            }
            try (InMemoryIndexServer index =
                    new InMemoryIndexServer(clips, vectors, dim, o -> new float[2][dim], List.of(0))) {
                QueryService service = new QueryService(
                        QueryConfig.fromEnv(new Env(Map.of(
                                "CLIP4S_QUERY_HTTP_PORT", "0",
                                "CLIP4S_QUERY_BIND_ADDRESS", "127.0.0.1",
                                "CLIP4S_QUERY_INDEX_DISCOVERY", "static",
                                "CLIP4S_QUERY_INDEX_URLS", index.uri().toString(),
                                "CLIP4S_QUERY_SHARD_TIMEOUT_MS", "30000"))),
                        model);
                service.start();
                try {
                    assertEquals(
                            0, run("search", "a street", "--url", service.uri().toString()), err.toString());
                    assertTrue(out.toString().startsWith("0 hits for \"a street\""), out.toString());
                    assertTrue(
                            out.toString()
                                    .contains("Note: model version '"
                                            + model.info().modelVersion()
                                            + "' holds no clips, but the index holds 2 clips under 'model-a'"),
                            out.toString());
                } finally {
                    service.close();
                }
            }
        }
    }
}
