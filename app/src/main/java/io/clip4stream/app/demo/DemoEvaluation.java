package io.clip4stream.app.demo;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clip4stream.app.train.CaptionedClip;
import io.clip4stream.app.train.ClipFrameReader;
import io.clip4stream.app.train.GatedFrameEmbedder;
import io.clip4stream.app.train.PipelineEvaluator;
import io.clip4stream.app.train.TrainingSet;
import io.clip4stream.encoder.StaticSceneGate;
import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.ModelOptions;
import io.clip4stream.model.tokenize.ClipTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/** {@code model eval --demo-world}: a model on a freshly written held-out split of the demo world. */
public final class DemoEvaluation {

    private DemoEvaluation() {}

    /** Writes {@code clips} held-out scenes of the world {@code seed} under {@code work}, then evaluates the model. */
    public static ObjectNode run(Path modelDir, long seed, int clips, Path work, int threads, Consumer<String> progress)
            throws IOException {
        TrainingSet set = heldOut(modelDir, seed, clips, work, progress);
        ObjectNode figures = DemoTraining.evaluate(modelDir, set, threads, progress);
        ObjectNode out = figures.objectNode();
        out.put("clips", figures.path("clips").asInt());
        out.put("seed", seed);
        out.set("first_stage", figures.get("first_stage"));
        out.set("reranked", figures.get("reranked"));
        return out;
    }

    /**
     * What the encoder's static-scene gate costs in retrieval: the same held-out clips evaluated with every frame
     * encoded, then with the gate at {@code threshold} (each clip its own source), and the share of frames it reused.
     */
    public static ObjectNode staticSceneEffect(
            Path modelDir, long seed, int clips, Path work, double threshold, int threads, Consumer<String> progress)
            throws IOException {
        TrainingSet set = heldOut(modelDir, seed, clips, work, progress);
        try (Clip4ClipModel model = Clip4ClipModel.load(
                modelDir,
                ModelOptions.defaults()
                        .withDevice(ModelOptions.DeviceChoice.CPU)
                        .withIntraOpThreads(threads))) {
            PipelineEvaluator.Result without =
                    new PipelineEvaluator(set, DemoTraining.RERANK_DEPTH).evaluate(model, progress);
            GatedFrameEmbedder gate = new GatedFrameEmbedder(
                    new StaticSceneGate.Policy(Set.of(StaticSceneGate.Policy.ALL_SOURCES), threshold));
            PipelineEvaluator.Result with =
                    new PipelineEvaluator(set, DemoTraining.RERANK_DEPTH, gate).evaluate(model, progress);
            ObjectNode out = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
            out.put("clips", without.clips());
            out.put("seed", seed);
            out.put("threshold", threshold);
            out.put("frames", gate.frames());
            out.put("reused_frames", gate.reused());
            out.put("reused_share", gate.frames() == 0 ? 0 : (double) gate.reused() / gate.frames());
            out.put("first_stage_r1_without", without.firstStage().r1() / 100);
            out.put("first_stage_r1_with", with.firstStage().r1() / 100);
            if (without.reranked().isPresent() && with.reranked().isPresent()) {
                out.put("reranked_r1_without", without.reranked().get().r1() / 100);
                out.put("reranked_r1_with", with.reranked().get().r1() / 100);
            }
            double drop = without.firstStage().r1() - with.firstStage().r1();
            if (without.reranked().isPresent() && with.reranked().isPresent()) {
                drop = Math.max(
                        drop,
                        without.reranked().get().r1() - with.reranked().get().r1());
            }
            // In points of R@1 (percent): the bound is a drop of at most 1.
            out.put("r1_drop_points", drop);
            return out;
        }
    }

    private static TrainingSet heldOut(Path modelDir, long seed, int clips, Path work, Consumer<String> progress)
            throws IOException {
        Files.createDirectories(work);
        List<CaptionedClip> held = DemoDataset.write(
                new DemoWorld(seed), DemoWorld.Split.HELD_OUT, clips, work.resolve("videos-" + seed), progress);
        int imageSize;
        int maxFrames;
        int maxWords;
        try (Clip4ClipModel model = Clip4ClipModel.load(
                modelDir,
                ModelOptions.defaults()
                        .withDevice(ModelOptions.DeviceChoice.CPU)
                        .withIntraOpThreads(1))) {
            imageSize = model.info().imageSize();
            maxFrames = model.info().maxFrames();
            maxWords = model.info().maxWords();
        }
        ClipFrameReader reader =
                new ClipFrameReader(imageSize, maxFrames, ClipFrameReader.DEFAULT_FPS, work.resolve("frames"));
        return TrainingSet.prepare(
                "demo world", held, reader, ClipTokenizer.withBundledVocabulary(), maxFrames, maxWords, progress);
    }
}
