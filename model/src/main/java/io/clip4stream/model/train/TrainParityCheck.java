package io.clip4stream.model.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.clip4stream.model.nn.TorchRuntime;
import io.clip4stream.model.parity.ParityCheck;
import io.clip4stream.model.parity.TensorParity;
import io.clip4stream.model.spec.CheckpointLayout;
import io.clip4stream.model.spec.ModelSpec;
import io.clip4stream.model.spec.SimilarityHead;
import io.clip4stream.model.weights.Checkpoint;
import io.clip4stream.model.weights.SafetensorsFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Trains on a training-parity fixture set (what the original CLIP4Clip training code computed: loss before each step,
 * first-step gradients, parameter deltas after the steps) and compares every tensor with its bound.
 *
 * <p>A set is a folder with {@code manifest.json} ({@code model_fixture}: the model fixture folder, relative to it,
 * whose {@code weights.safetensors} and {@code inputs.safetensors} give the weights and the batch; {@code optimizer};
 * {@code fixtures.<name>} with {@code head}, {@code variant}, {@code trainable} and per-tensor {@code tolerance}) and
 * {@code <name>.safetensors} per fixture. The batch is the model fixture's B videos with its first B captions.
 */
public final class TrainParityCheck {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern FREEZE_VARIANT = Pattern.compile("freeze(-?\\d+)");

    private final int intraOpThreads;

    /** Creates a check that runs libtorch with {@code intraOpThreads} threads. */
    public TrainParityCheck(int intraOpThreads) {
        if (intraOpThreads <= 0) {
            throw new IllegalArgumentException("intra-op threads must be positive, got " + intraOpThreads);
        }
        this.intraOpThreads = intraOpThreads;
    }

    /** Returns the freeze rule a fixture variant names: {@code freeze<N>} or {@code clip-frozen}. */
    public static FreezeRule freezeRuleOf(String variant) {
        if (variant.equals("clip-frozen")) {
            return FreezeRule.clip();
        }
        Matcher m = FREEZE_VARIANT.matcher(variant);
        if (m.matches()) {
            return FreezeRule.layers(Integer.parseInt(m.group(1)));
        }
        throw new IllegalArgumentException(
                "unknown training fixture variant '" + variant + "' (expected freeze<N> or clip-frozen)");
    }

    /** Runs every fixture of the set in {@code dir}. */
    public TrainParityReport run(Path dir) {
        JsonNode manifest = json(dir.resolve("manifest.json"));
        String modelFixture = manifest.path("model_fixture").asText("");
        if (modelFixture.isEmpty()) {
            throw new IllegalArgumentException(dir + "/manifest.json names no model_fixture");
        }
        Path modelDir = dir.resolve(modelFixture).normalize();
        JsonNode modelManifest = json(modelDir.resolve("manifest.json"));
        OptimizerSettings settings = settingsOf(manifest.path("optimizer"));
        List<TrainParityReport.Fixture> results = new ArrayList<>();
        try (Checkpoint checkpoint = Checkpoint.open(List.of(modelDir.resolve("weights.safetensors")));
                SafetensorsFile inputs = SafetensorsFile.open(modelDir.resolve("inputs.safetensors"));
                NDManager manager = TorchRuntime.newManager(Device.cpu(), intraOpThreads)) {
            ModelSpec spec = CheckpointLayout.derive(
                    checkpoint.source(),
                    checkpoint.shapes(),
                    checkpoint.nonFloatingPoint(),
                    ParityCheck.fixtureConfig(
                            modelManifest, modelDir.getFileName().toString()));
            TrainingBatch batch = batchOf(inputs);
            for (Iterator<Map.Entry<String, JsonNode>> it =
                            manifest.path("fixtures").fields();
                    it.hasNext(); ) {
                Map.Entry<String, JsonNode> fixture = it.next();
                Path expectedFile = dir.resolve(fixture.getKey() + ".safetensors");
                try (SafetensorsFile expected = SafetensorsFile.open(expectedFile)) {
                    results.add(runFixture(
                            fixture.getKey(),
                            fixture.getValue(),
                            expected,
                            checkpoint,
                            spec,
                            settings,
                            batch,
                            manager));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the training fixture set " + dir, e);
        }
        if (results.isEmpty()) {
            throw new IllegalArgumentException(dir + "/manifest.json lists no fixtures");
        }
        return new TrainParityReport(results);
    }

    private static TrainParityReport.Fixture runFixture(
            String name,
            JsonNode fixture,
            SafetensorsFile expected,
            Checkpoint checkpoint,
            ModelSpec spec,
            OptimizerSettings settings,
            TrainingBatch batch,
            NDManager manager) {
        SimilarityHead head = SimilarityHead.fromConfigName(fixture.path("head").asText());
        FreezeRule freeze = freezeRuleOf(fixture.path("variant").asText());
        JsonNode tolerance = fixture.path("tolerance");
        float[] expectedLoss = expected.floats("loss");
        try (TrainableModel model = TrainableModel.bind(checkpoint, spec, head, freeze, true, manager);
                Trainer trainer = new Trainer(model, settings, false);
                NDManager scope = manager.newSubManager()) {
            Set<String> want = new TreeSet<>();
            fixture.path("trainable").forEach(n -> want.add(n.asText()));
            String trainableProblem = compareSets(want, new TreeSet<>(model.trainable()));

            Map<String, float[]> before = new LinkedHashMap<>();
            model.parameters().forEach((n, p) -> before.put(n, p.toFloatArray()));
            double[] losses = new double[expectedLoss.length];
            Map<String, float[]> firstGradients = new LinkedHashMap<>();
            for (int step = 0; step < losses.length; step++) {
                losses[step] = trainer.backward(batch);
                if (step == 0) {
                    trainer.gradients(scope).forEach((n, g) -> firstGradients.put(n, g.toFloatArray()));
                }
                trainer.update(losses[step]);
            }

            List<TensorParity> tensors = new ArrayList<>();
            tensors.add(compare(name, "loss", losses, expectedLoss, tolerance));
            List<String> frozenChanged = new ArrayList<>();
            for (Map.Entry<String, NDArray> entry : model.parameters().entrySet()) {
                String parameter = entry.getKey();
                float[] after = entry.getValue().toFloatArray();
                float[] initial = before.get(parameter);
                if (!model.trainable().contains(parameter)) {
                    if (!Arrays.equals(after, initial)) {
                        frozenChanged.add(parameter);
                    }
                    continue;
                }
                String gradKey = "grad." + parameter;
                String deltaKey = "delta." + parameter;
                if (expected.contains(gradKey)) {
                    tensors.add(compare(
                            name,
                            gradKey,
                            toDoubles(firstGradients.get(parameter)),
                            expected.floats(gradKey),
                            tolerance));
                }
                if (expected.contains(deltaKey)) {
                    double[] delta = new double[after.length];
                    for (int i = 0; i < after.length; i++) {
                        delta[i] = (double) after[i] - initial[i];
                    }
                    tensors.add(compare(name, deltaKey, delta, expected.floats(deltaKey), tolerance));
                }
            }
            // Every expected tensor must have been computed: a missing one is a failure, not a skip.
            Set<String> compared = new LinkedHashSet<>();
            tensors.forEach(t -> compared.add(t.tensor()));
            for (String key : expected.names()) {
                if (!compared.contains(key)) {
                    tensors.add(new TensorParity(name, key, Double.POSITIVE_INFINITY, bound(tolerance, key), false));
                }
            }
            return new TrainParityReport.Fixture(name, tensors, trainableProblem, frozenChanged);
        }
    }

    private static String compareSets(Set<String> want, Set<String> have) {
        Set<String> missing = new TreeSet<>(want);
        missing.removeAll(have);
        Set<String> extra = new TreeSet<>(have);
        extra.removeAll(want);
        if (missing.isEmpty() && extra.isEmpty()) {
            return "";
        }
        return "missing " + missing + ", extra " + extra;
    }

    private static TensorParity compare(
            String fixture, String key, double[] actual, float[] expected, JsonNode tolerance) {
        double bound = bound(tolerance, key);
        if (actual == null || actual.length != expected.length) {
            return new TensorParity(fixture, key, Double.POSITIVE_INFINITY, bound, false);
        }
        double max = 0;
        for (int i = 0; i < actual.length; i++) {
            double error = Math.abs(actual[i] - expected[i]);
            if (Double.isNaN(error)) {
                max = Double.POSITIVE_INFINITY;
                break;
            }
            max = Math.max(max, error);
        }
        return new TensorParity(fixture, key, max, bound, max <= bound);
    }

    private static double bound(JsonNode tolerance, String key) {
        double bound = tolerance.path(key).path("atol").asDouble(Double.NaN);
        if (Double.isNaN(bound)) {
            throw new IllegalArgumentException("training fixture has no tolerance for " + key);
        }
        return bound;
    }

    private static double[] toDoubles(float[] values) {
        if (values == null) {
            return null;
        }
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    /** The model fixture's B videos with its first B captions (caption i describes video i). */
    private static TrainingBatch batchOf(SafetensorsFile inputs) {
        long[] videoShape = inputs.info("video").shape(); // [B, T, 3, S, S]
        int videos = (int) videoShape[0];
        int frames = (int) videoShape[1];
        long[] mask = inputs.longs("video_mask");
        float[] valid = new float[mask.length];
        for (int i = 0; i < mask.length; i++) {
            valid[i] = mask[i];
        }
        long[] idsShape = inputs.info("input_ids").shape();
        long[] flatIds = inputs.longs("input_ids");
        int length = (int) idsShape[1];
        long[][] ids = new long[videos][];
        for (int i = 0; i < videos; i++) {
            ids[i] = Arrays.copyOfRange(flatIds, i * length, (i + 1) * length);
        }
        return new TrainingBatch.Pixels(inputs.floats("video"), frames, (int) videoShape[3], valid, ids);
    }

    private static OptimizerSettings settingsOf(JsonNode optimizer) {
        return new OptimizerSettings(
                required(optimizer, "lr"),
                required(optimizer, "coef_lr"),
                required(optimizer, "warmup_proportion"),
                (long) required(optimizer, "t_total"),
                required(optimizer, "weight_decay"),
                required(optimizer, "b1"),
                required(optimizer, "b2"),
                required(optimizer, "e"),
                required(optimizer, "max_grad_norm"),
                optimizer.path("global_clip_norm").asDouble(1.0),
                optimizer.path("logit_scale_max").asDouble(OptimizerSettings.LOGIT_SCALE_MAX));
    }

    private static double required(JsonNode node, String field) {
        if (!node.path(field).isNumber()) {
            throw new IllegalArgumentException("training fixture optimizer settings lack '" + field + "'");
        }
        return node.path(field).asDouble();
    }

    private static JsonNode json(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no " + file + " (a training fixture set needs it)");
        }
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
