package io.clip4stream.app.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.app.cli.TrainCommand;
import io.clip4stream.app.demo.Background;
import io.clip4stream.app.demo.CaptionWriter;
import io.clip4stream.app.demo.Colour;
import io.clip4stream.app.demo.DefaultModel;
import io.clip4stream.app.demo.Motion;
import io.clip4stream.app.demo.SceneObject;
import io.clip4stream.app.demo.SceneRenderer;
import io.clip4stream.app.demo.Shape;
import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.ModelOptions;
import io.clip4stream.model.preprocess.FramePreprocessor;
import io.clip4stream.model.preprocess.RgbImage;
import io.clip4stream.model.spec.SimilarityHead;
import io.clip4stream.model.tokenize.ClipTokenizer;
import io.clip4stream.model.tokenize.TokenizedText;
import io.clip4stream.model.weights.Checkpoint;
import io.clip4stream.model.weights.ModelDirectory;
import io.clip4stream.model.weights.TensorData;
import io.clip4stream.runtime.kafka.KafkaClientSettings;
import io.clip4stream.runtime.kafka.TopicProvisioner;
import io.clip4stream.schemas.avro.Caption;
import io.clip4stream.schemas.avro.ClipVector;
import io.clip4stream.schemas.topic.Topics;
import io.clip4stream.testkit.EmbeddedKafka;
import java.awt.Color;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Training from the cluster: clips of the demo world indexed (ClipVector records with the frame embeddings the bundled
 * model's CLIP gives their rendered frames) and captioned on the embedded broker; {@code train --from-cluster} trains a
 * fresh seqTransf head with CLIP frozen, and on those captions it ranks better than meanP.
 *
 * <p>The clips come in pairs that only time tells apart (a red circle moving left, and moving right; growing and
 * shrinking; appearing and disappearing): meanP, the mean of the frames, is blind to their order, so it can at best
 * guess within a pair, while a sequence head can learn the order from the captions.
 */
class TrainFromClusterIT {

    @RegisterExtension
    static final EmbeddedKafka KAFKA = EmbeddedKafka.singleNode();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SOURCE = "cam-demo";
    private static final long CLIP_MICROS = 12_000_000L;
    private static final int FRAMES = 12;
    private static final String OTHER_VERSION = "some-other-version";

    private static final List<Motion[]> OPPOSITES = List.of(
            new Motion[] {Motion.LEFT, Motion.RIGHT},
            new Motion[] {Motion.UP, Motion.DOWN},
            new Motion[] {Motion.GROW, Motion.SHRINK},
            new Motion[] {Motion.APPEAR, Motion.DISAPPEAR});

    @TempDir
    Path dir;

    @Test
    void aHeadTrainedFromTheClusterBeatsMeanPOnTheCaptionsItWasGiven() throws Exception {
        Path base = clipOnly(DefaultModel.ensure(dir.resolve("default")), dir.resolve("base"));
        String version = ModelDirectory.open(base).config().modelVersion();

        List<SceneObject> objects = scenes();
        List<float[][]> frames = new ArrayList<>();
        List<List<String>> captions = new ArrayList<>();
        try (Clip4ClipModel model = Clip4ClipModel.load(base, ModelOptions.defaults())) {
            FramePreprocessor preprocessor = new FramePreprocessor(model.preprocessing());
            SceneRenderer renderer = new SceneRenderer(160, 160);
            for (int i = 0; i < objects.size(); i++) {
                var scene = new io.clip4stream.app.demo.Scene(
                        new Background(new Color(20, 24, 40), Background.Texture.values()[i % 4], 4),
                        List.of(objects.get(i)),
                        CaptionWriter.captions(List.of(objects.get(i)), 2, new Random(i)));
                Random noise = new Random(1000 + i);
                List<RgbImage> images = new ArrayList<>();
                for (int f = 0; f < FRAMES; f++) {
                    images.add(RgbImage.fromBufferedImage(renderer.render(scene, f / (FRAMES - 1.0), noise)));
                }
                frames.add(model.embedFrames(preprocessor.toTensor(images), FRAMES));
                captions.add(scene.captions());
            }
        }
        publish(version, frames, captions);

        Path out = dir.resolve("trained");
        StringWriter stdout = new StringWriter();
        StringWriter stderr = new StringWriter();
        CommandLine command = new CommandLine(new TrainCommand(Map.of()));
        command.setOut(new PrintWriter(stdout));
        command.setErr(new PrintWriter(stderr));
        int exit = command.execute(
                "--from-cluster",
                "--bootstrap",
                KAFKA.bootstrapServers(),
                "--model",
                base.toString(),
                "--head",
                "seqTransf",
                "--freeze-clip",
                "--epochs",
                "40",
                "--batch-size",
                "16",
                "--lr",
                "1e-3",
                "--eval-fraction",
                "0",
                "--threads",
                "2",
                "--out",
                out.toString(),
                "--json");
        assertEquals(0, exit, stderr.toString());

        ModelDirectory trained = ModelDirectory.open(out);
        String trainedVersion = trained.config().modelVersion();
        assertNotEquals(version, trainedVersion);
        assertTrue(trainedVersion.startsWith(version + "+seqTransf"), trainedVersion);
        assertEquals(SimilarityHead.SEQ_TRANSF, trained.config().simHeader());
        JsonNode training =
                JSON.readTree(out.resolve(ModelDirectory.CONFIG_FILE).toFile()).path("training");
        int captionCount = captions.stream().mapToInt(List::size).sum();
        assertEquals(captionCount, training.path("train_captions").asInt(), training.toString());
        assertEquals(objects.size(), training.path("train_clips").asInt(), training.toString());
        assertTrue(training.path("data").asText().startsWith("cluster "), training.toString());
        assertTrue(training.path("settings").path("freeze_clip").asBoolean(), training.toString());
        // The base (CLIP alone) records no world; the trained model knows the cluster's captions.
        assertEquals(
                "cluster-captions",
                JSON.readTree(out.resolve(ModelDirectory.CONFIG_FILE).toFile())
                        .path("knows")
                        .asText());
        assertSameClip(base, out);

        double[] r1;
        try (Clip4ClipModel head = Clip4ClipModel.load(out, ModelOptions.defaults())) {
            r1 = recallAt1(head, frames, captions);
        }
        System.out.printf(
                java.util.Locale.ROOT,
                "TrainFromClusterIT: %d clips, %d captions: R@1 seqTransf (trained from the cluster) %.3f, meanP %.3f%n",
                objects.size(),
                captionCount,
                r1[0],
                r1[1]);
        // Both first stages, on every caption the cluster holds: meanP guesses within a pair at best.
        assertTrue(r1[0] > r1[1], "seqTransf R@1 " + r1[0] + " must exceed meanP's " + r1[1]);
    }

    /** Pairs of one object doing opposite things, over four colour–shape pairs: 16 clips. */
    private static List<SceneObject> scenes() {
        List<SceneObject> objects = new ArrayList<>();
        Colour[] colours = {Colour.RED, Colour.BLUE, Colour.GREEN, Colour.YELLOW};
        Shape[] shapes = {Shape.CIRCLE, Shape.SQUARE, Shape.TRIANGLE, Shape.STAR};
        for (int k = 0; k < OPPOSITES.size(); k++) {
            for (Motion motion : OPPOSITES.get(k)) {
                objects.add(new SceneObject(shapes[k], colours[k], true, motion, 0.5, 0.5));
                objects.add(new SceneObject(shapes[(k + 1) % 4], colours[(k + 2) % 4], true, motion, 0.5, 0.5));
            }
        }
        return objects;
    }

    /** Writes the clips (and, as noise, the same clips under another model version) and their captions. */
    private static void publish(String version, List<float[][]> frames, List<List<String>> captions) {
        KafkaClientSettings kafka = KafkaClientSettings.of(KAFKA.bootstrapServers());
        Topics topics = Topics.defaults();
        new TopicProvisioner(kafka, 1, TopicProvisioner.DEFAULT_TIMEOUT)
                .ensure(List.of(topics.clipVectors(), topics.captions()));
        try (KafkaProducer<String, ClipVector> clips = new KafkaProducer<>(
                        kafka.producer("test-clips"),
                        topics.clipVectors().keySerde().serializer(),
                        topics.clipVectors().valueSerde().serializer());
                KafkaProducer<String, Caption> texts = new KafkaProducer<>(
                        kafka.producer("test-captions"),
                        topics.captions().keySerde().serializer(),
                        topics.captions().valueSerde().serializer())) {
            for (int i = 0; i < frames.size(); i++) {
                long start = i * CLIP_MICROS;
                for (String v : List.of(version, OTHER_VERSION)) {
                    ClipVector vector = clipVector(i, start, v, frames.get(i));
                    clips.send(new ProducerRecord<>(
                            topics.clipVectors().name(), vector.getClipId().toString(), vector));
                }
                for (int c = 0; c < captions.get(i).size(); c++) {
                    String id = "cap-" + i + "-" + c;
                    texts.send(new ProducerRecord<>(
                            topics.captions().name(),
                            id,
                            Caption.newBuilder()
                                    .setCaptionId(id)
                                    .setSourceId(SOURCE)
                                    .setStartMicros(start)
                                    .setEndMicros(start + CLIP_MICROS)
                                    .setText(captions.get(i).get(c))
                                    .setCreatedAtMillis(1L)
                                    .build()));
                }
            }
            clips.flush();
            texts.flush();
        }
    }

    private static ClipVector clipVector(int index, long start, String version, float[][] frames) {
        List<List<Float>> rows = new ArrayList<>();
        for (float[] frame : frames) {
            List<Float> row = new ArrayList<>();
            // Another version's frames are scrambled: joining them would teach the head nonsense.
            for (int d = 0; d < frame.length; d++) {
                row.add(version.equals(OTHER_VERSION) ? frame[frame.length - 1 - d] : frame[d]);
            }
            rows.add(row);
        }
        return ClipVector.newBuilder()
                .setClipId(SOURCE + "-" + index + "@" + version)
                .setSourceId(SOURCE)
                .setClipIndex(index)
                .setStartTimeMicros(start)
                .setEndTimeMicros(start + CLIP_MICROS)
                .setThumbnailJpeg(ByteBuffer.allocate(0))
                .setModelId("clip4stream-demo-world")
                .setModelVersion(version)
                .setAggregation("meanP")
                .setVector(rows.get(0))
                .setFrameEmbeddings(rows)
                .setIndexedAtMillis(1L)
                .build();
    }

    /**
     * Text→video R@1 over every caption: {seqTransf of {@code head}, meanP computed here as the normalised mean of
     * the frames}, both against the same caption embeddings (the text tower is frozen, so it is the base's).
     */
    private static double[] recallAt1(Clip4ClipModel head, List<float[][]> frames, List<List<String>> captions) {
        ClipTokenizer tokenizer = ClipTokenizer.withBundledVocabulary();
        int n = frames.size();
        float[][] seq = head.aggregateClips(frames.toArray(new float[0][][]));
        float[][] mean = new float[n][];
        for (int c = 0; c < n; c++) {
            mean[c] = meanP(frames.get(c));
        }
        int hitsSeq = 0;
        int hitsMean = 0;
        int total = 0;
        for (int c = 0; c < n; c++) {
            for (String caption : captions.get(c)) {
                TokenizedText tokens = tokenizer.tokenize(caption, head.info().maxWords());
                float[] text = head.encodeText(tokens.inputIds(), tokens.inputMask());
                hitsSeq += best(text, seq) == c ? 1 : 0;
                hitsMean += best(text, mean) == c ? 1 : 0;
                total++;
            }
        }
        return new double[] {(double) hitsSeq / total, (double) hitsMean / total};
    }

    private static float[] meanP(float[][] frames) {
        float[] mean = new float[frames[0].length];
        for (float[] frame : frames) {
            double norm = 0;
            for (float v : frame) {
                norm += v * v;
            }
            // CLIP4Clip's meanP averages L2-normalised frames, then normalises the mean.
            for (int d = 0; d < mean.length; d++) {
                mean[d] += (float) (frame[d] / Math.sqrt(norm));
            }
        }
        double norm = 0;
        for (float v : mean) {
            norm += v * v;
        }
        for (int d = 0; d < mean.length; d++) {
            mean[d] /= (float) Math.sqrt(norm);
        }
        return mean;
    }

    private static int best(float[] text, float[][] clips) {
        int best = 0;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < clips.length; c++) {
            double score = 0;
            for (int d = 0; d < text.length; d++) {
                score += text[d] * clips[c][d];
            }
            if (score > bestScore) {
                bestScore = score;
                best = c;
            }
        }
        return best;
    }

    /** Writes the CLIP of {@code model} alone (no head weights, nothing trained) to {@code target}, same version. */
    private static Path clipOnly(Path model, Path target) throws Exception {
        ModelDirectory source = ModelDirectory.open(model);
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        try (Checkpoint checkpoint = source.openCheckpoint()) {
            for (String name : checkpoint.shapes().keySet()) {
                if (name.startsWith("clip.") && !checkpoint.nonFloatingPoint().contains(name)) {
                    tensors.put(name, TensorData.f32(checkpoint.info(name).shape(), checkpoint.floats(name)));
                }
            }
        }
        ModelDirectory.write(
                target, source.config().withSimHeader(SimilarityHead.MEAN_P).withTrainedHeads(Set.of()), tensors);
        return target;
    }

    /** Asserts that every CLIP weight of {@code trained} equals the base's: only the head trained. */
    private static void assertSameClip(Path base, Path trained) throws Exception {
        try (Checkpoint before = ModelDirectory.open(base).openCheckpoint();
                Checkpoint after = ModelDirectory.open(trained).openCheckpoint()) {
            int compared = 0;
            for (String name : before.shapes().keySet()) {
                if (name.startsWith("clip.") && !before.nonFloatingPoint().contains(name)) {
                    assertArrayEquals(before.floats(name), after.floats(name), name);
                    compared++;
                }
            }
            assertTrue(compared > 0, "the base holds no CLIP weight");
            assertTrue(
                    after.shapes().keySet().stream().anyMatch(name -> !name.startsWith("clip.")),
                    "the trained model holds no head weights");
        }
    }
}
