package io.clip4stream.model.parity;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.clip4stream.model.nn.CheckpointParameters;
import io.clip4stream.model.nn.Clip4ClipNetwork;
import io.clip4stream.model.nn.LooseHead;
import io.clip4stream.model.nn.SeqLstmHead;
import io.clip4stream.model.nn.SeqTransfHead;
import io.clip4stream.model.nn.TextOutput;
import io.clip4stream.model.nn.TightOutput;
import io.clip4stream.model.nn.TorchRuntime;
import io.clip4stream.model.nn.VisualOutput;
import io.clip4stream.model.spec.CheckpointLayout;
import io.clip4stream.model.spec.LinearPatch;
import io.clip4stream.model.spec.ModelConfig;
import io.clip4stream.model.spec.ModelSpec;
import io.clip4stream.model.spec.SimilarityHead;
import io.clip4stream.model.weights.Checkpoint;
import io.clip4stream.model.weights.SafetensorsFile;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * Runs this implementation on a parity fixture (weights, inputs and outputs computed by the original CLIP4Clip code)
 * and reports, per expected tensor, the maximum absolute error against the fixture's bound, and per head whether the
 * similarity rankings are identical.
 *
 * <p>A fixture folder holds {@code manifest.json} (model config, file names, per-tensor tolerances), the weights, the
 * inputs and {@code expected.safetensors}; file names may point into a sibling folder ({@code ../model-tiny-2d/...}).
 * The two tiny fixtures are bundled, so {@link #runBundled()} needs no files.
 */
public final class ParityCheck {

    /** The fixtures shipped inside the jar. */
    public static final List<String> BUNDLED_FIXTURES = List.of("model-tiny-2d", "model-tiny-3d");

    private static final String BUNDLED_ROOT = "/io/clip4stream/model/parity/fixtures/";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final List<String> LOOSE_HEADS = List.of("meanP", "seqLSTM", "seqTransf");

    private final int intraOpThreads;

    /** Creates a check that runs libtorch with {@code intraOpThreads} threads. */
    public ParityCheck(int intraOpThreads) {
        if (intraOpThreads <= 0) {
            throw new IllegalArgumentException("intra-op threads must be positive, got " + intraOpThreads);
        }
        this.intraOpThreads = intraOpThreads;
    }

    /** Checks the fixture in folder {@code fixtureDir}. */
    public ParityReport run(Path fixtureDir) {
        return run(new FixtureFiles(fixtureDir.toString(), relative -> {
            Path file = fixtureDir.resolve(relative).normalize();
            return Files.newInputStream(file);
        }));
    }

    /** Checks every bundled fixture. */
    public ParityReport runBundled() {
        List<ParityReport> reports = new ArrayList<>();
        for (String name : BUNDLED_FIXTURES) {
            reports.add(runBundled(name));
        }
        return ParityReport.combine(reports);
    }

    /** Checks the bundled fixture {@code name} (one of {@link #BUNDLED_FIXTURES}). */
    public ParityReport runBundled(String name) {
        if (!BUNDLED_FIXTURES.contains(name)) {
            throw new IllegalArgumentException("no bundled fixture " + name + "; bundled: " + BUNDLED_FIXTURES);
        }
        URI base = URI.create(BUNDLED_ROOT + name + "/");
        return run(new FixtureFiles("classpath:" + base, relative -> {
            String resource = base.resolve(relative).normalize().toString();
            InputStream in = ParityCheck.class.getResourceAsStream(resource);
            if (in == null) {
                throw new FileNotFoundException("bundled parity resource " + resource + " is missing");
            }
            return in;
        }));
    }

    @FunctionalInterface
    private interface Opener {
        InputStream open(String relativePath) throws IOException;
    }

    private record FixtureFiles(String location, Opener opener) {
        SafetensorsFile safetensors(String relative) {
            try (InputStream in = opener.open(relative)) {
                return SafetensorsFile.read(in, location + "/" + relative);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read parity fixture file " + location + "/" + relative, e);
            }
        }

        JsonNode json(String relative) {
            try (InputStream in = opener.open(relative)) {
                return JSON.readTree(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read parity fixture file " + location + "/" + relative, e);
            }
        }
    }

    /** Returns the model configuration a model fixture's {@code manifest.json} describes ({@code config}). */
    public static ModelConfig fixtureConfig(JsonNode manifest, String fixture) {
        JsonNode config = manifest.path("config");
        return new ModelConfig(
                fixture,
                "parity",
                SimilarityHead.MEAN_P,
                LinearPatch.fromConfigName(config.path("linear_patch").asText("2d")),
                config.path("max_frames").asInt(),
                config.path("max_words").asInt(),
                config.path("cross_num_hidden_layers").asInt(),
                Optional.empty());
    }

    private ParityReport run(FixtureFiles files) {
        JsonNode manifest = files.json("manifest.json");
        String fixture = manifest.path("fixture").asText(files.location());
        ModelConfig modelConfig = fixtureConfig(manifest, fixture);
        List<SafetensorsFile> weightFiles = new ArrayList<>();
        for (JsonNode file : manifest.path("files").path("weights")) {
            weightFiles.add(files.safetensors(file.asText()));
        }
        try (Checkpoint checkpoint = Checkpoint.of(weightFiles);
                SafetensorsFile inputs =
                        files.safetensors(manifest.path("files").path("inputs").asText());
                SafetensorsFile expected = files.safetensors(
                        manifest.path("files").path("expected").asText());
                NDManager manager = TorchRuntime.newManager(Device.cpu(), intraOpThreads)) {
            ModelSpec spec = CheckpointLayout.derive(
                    checkpoint.source(), checkpoint.shapes(), checkpoint.nonFloatingPoint(), modelConfig);
            Clip4ClipNetwork network = Clip4ClipNetwork.load(spec, new CheckpointParameters(checkpoint, manager));
            manager.cap();
            try (NDManager scope = manager.newSubManager()) {
                Map<String, NDArray> actual = compute(network, inputs, scope);
                return compare(fixture, actual, expected, manifest.path("tolerance"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close parity fixture files of " + files.location(), e);
        }
    }

    /** Runs the network as the fixture generator ran the original: videos and texts encoded separately, then heads. */
    private static Map<String, NDArray> compute(Clip4ClipNetwork network, SafetensorsFile inputs, NDManager scope) {
        long[] videoShape = inputs.info("video").shape(); // [videos, T, 3, S, S]
        int videos = (int) videoShape[0];
        int frames = (int) videoShape[1];
        NDArray pixels = scope.create(
                inputs.floats("video"), new Shape(videos * (long) frames, videoShape[2], videoShape[3], videoShape[4]));
        NDArray validFrames = scope.create(toFloats(inputs.longs("video_mask")), new Shape(videos, frames));
        long[] idsShape = inputs.info("input_ids").shape();
        long[] flatIds = inputs.longs("input_ids");
        long[][] ids = new long[(int) idsShape[0]][];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = Arrays.copyOfRange(flatIds, i * (int) idsShape[1], (i + 1) * (int) idsShape[1]);
        }

        Map<String, NDArray> out = new LinkedHashMap<>();
        VisualOutput visual = network.visual().forward(pixels, frames);
        NDArray visualOutput = visual.frameEmbeddings().reshape(videos, frames, -1);
        out.put("visual_output", visualOutput);
        out.put("visual_cls_pre_ln_post", visual.classTokenBeforeLnPost().reshape(videos, frames, -1));
        TextOutput text = network.text().forward(scope, ids);
        out.put("text_output", text.textEmbeddings());
        out.put("text_hidden", text.hidden());
        out.put("logit_scale", scope.create(network.logitScale()));
        out.put("logit_scale_exp", scope.create(network.logitScale()).exp());
        for (String name : LOOSE_HEADS) {
            SimilarityHead head = SimilarityHead.fromConfigName(name);
            if (!network.spec().heads().has(head)) {
                continue;
            }
            LooseHead loose = network.looseHead(head);
            NDArray vectors = loose.aggregate(visualOutput, validFrames);
            out.put(name + ".video_vectors", vectors);
            out.put(name + ".sim", network.looseSimilarity(text.textEmbeddings(), vectors));
            if (loose instanceof SeqTransfHead seqTransf) {
                out.put(name + ".transformer_out", seqTransf.temporal(visualOutput, validFrames));
            }
            if (loose instanceof SeqLstmHead seqLstm) {
                out.put(name + ".lstm_out", seqLstm.lstm(visualOutput, validFrames));
            }
        }
        network.tightHead().ifPresent(tight -> {
            TightOutput scores = tight.score(text.textEmbeddings(), visualOutput, validFrames);
            out.put("tightTransf.sim", scores.logits());
            out.put("tightTransf.pooled_output", scores.pooled());
        });
        return out;
    }

    private static ParityReport compare(
            String fixture, Map<String, NDArray> actual, SafetensorsFile expected, JsonNode tolerance) {
        List<TensorParity> tensors = new ArrayList<>();
        List<RankingParity> rankings = new ArrayList<>();
        for (String name : expected.names()) {
            float[] want = expected.floats(name);
            double bound = tolerance.path(name).path("atol").asDouble(Double.NaN);
            if (Double.isNaN(bound)) {
                throw new IllegalArgumentException("fixture " + fixture + " has no tolerance for " + name);
            }
            NDArray computed = actual.get(name);
            if (computed == null) {
                tensors.add(new TensorParity(fixture, name, Double.POSITIVE_INFINITY, bound, false));
                continue;
            }
            float[] got = computed.toFloatArray();
            boolean sameShape = Arrays.equals(
                            computed.getShape().getShape(), expected.info(name).shape())
                    || got.length == want.length && want.length == 1;
            double error = sameShape ? maxAbsError(got, want) : Double.POSITIVE_INFINITY;
            tensors.add(new TensorParity(fixture, name, error, bound, sameShape && error <= bound));
            if (name.endsWith(".sim") && sameShape) {
                int columns = (int) expected.info(name).shape()[1];
                rankings.add(new RankingParity(
                        fixture, name.substring(0, name.length() - ".sim".length()), sameRanking(got, want, columns)));
            }
        }
        return new ParityReport(tensors, rankings);
    }

    private static double maxAbsError(float[] actual, float[] expected) {
        double max = 0;
        for (int i = 0; i < actual.length; i++) {
            double error = Math.abs((double) actual[i] - expected[i]);
            if (Double.isNaN(error)) {
                return Double.POSITIVE_INFINITY;
            }
            max = Math.max(max, error);
        }
        return max;
    }

    private static boolean sameRanking(float[] actual, float[] expected, int columns) {
        for (int row = 0; row * columns < actual.length; row++) {
            if (!Arrays.equals(descendingOrder(actual, row, columns), descendingOrder(expected, row, columns))) {
                return false;
            }
        }
        return true;
    }

    private static int[] descendingOrder(float[] matrix, int row, int columns) {
        return IntStream.range(0, columns)
                .boxed()
                .sorted(Comparator.comparingDouble((Integer c) -> -matrix[row * columns + c]))
                .mapToInt(Integer::intValue)
                .toArray();
    }

    private static float[] toFloats(long[] values) {
        float[] floats = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            floats[i] = values[i];
        }
        return floats;
    }
}
