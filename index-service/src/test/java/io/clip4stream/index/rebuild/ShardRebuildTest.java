package io.clip4stream.index.rebuild;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.index.aggregate.ClipAggregator;
import io.clip4stream.index.store.ClipKey;
import io.clip4stream.index.store.ExactScanClipStore;
import io.clip4stream.index.store.TestClips;
import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.ModelOptions;
import io.clip4stream.model.spec.SimilarityHead;
import io.clip4stream.model.weights.TinyModelGenerator;
import io.clip4stream.model.weights.TinyModelShape;
import io.clip4stream.schemas.avro.ClipVector;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A shard builds a deployed version from the frame embeddings it keeps, a bounded batch per step, and drops retired ones. */
class ShardRebuildTest {
    private static final long NOW = 1_800_000_000_000L;

    @TempDir
    Path temp;

    private Clip4ClipModel meanP;
    private Clip4ClipModel seqTransf;
    private ExactScanClipStore store;

    @BeforeEach
    void setUp() throws IOException {
        meanP = load(SimilarityHead.MEAN_P);
        seqTransf = load(SimilarityHead.SEQ_TRANSF);
        store = new ExactScanClipStore("shard");
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 7; i++) {
            float[] vector = TestClips.unitVector(random, meanP.info().embedDim());
            store.put(TestClips.clip("cam", i, "a", "acme", List.of(), i * 12_000_000L, (i + 1) * 12_000_000L, vector));
        }
    }

    @AfterEach
    void tearDown() {
        meanP.close();
        seqTransf.close();
    }

    private Clip4ClipModel load(SimilarityHead head) throws IOException {
        Path dir = temp.resolve(head.configName());
        new TinyModelGenerator(7).generate(dir, TinyModelShape.defaults().withHead(head), "tiny");
        return Clip4ClipModel.load(dir, ModelOptions.defaults().withDevice(ModelOptions.DeviceChoice.CPU));
    }

    private IndexModels.Snapshot models(Set<String> retired, VersionTarget... targets) {
        return new IndexModels.Snapshot(List.of(targets), Set.of("a", "b"), retired, Map.of(), Optional.empty());
    }

    @Test
    void shouldBuildEveryClipUnderTheNewVersionInBoundedStepsWithItsHead() {
        VersionTarget a = new VersionTarget("a", new ClipAggregator(meanP));
        VersionTarget b = new VersionTarget("b", new ClipAggregator(seqTransf));
        ShardRebuild rebuild = new ShardRebuild(3);

        ShardRebuild.Step first = rebuild.step(store, models(Set.of(), a, b), NOW);
        assertEquals(3, first.built());
        assertEquals(new ShardProgress(3, 7), first.progress().get("b"));
        assertEquals(new ShardProgress(7, 7), first.progress().get("a"));

        assertEquals(
                new ShardProgress(6, 7),
                rebuild.step(store, models(Set.of(), a, b), NOW + 1).progress().get("b"));
        ShardRebuild.Step third = rebuild.step(store, models(Set.of(), a, b), NOW + 2);
        assertEquals(1, third.built());
        assertTrue(third.progress().get("b").complete());
        assertEquals(Map.of("a", 7L, "b", 7L), store.clipsPerModelVersion());

        ShardRebuild.Step settled = rebuild.step(store, models(Set.of(), a, b), NOW + 3);
        assertEquals(0, settled.built());
        assertTrue(settled.progress().get("b").complete());

        // Same clip, same frames, the new version's head; the old version's vector is kept as it was.
        ClipVector underA = store.clipsByKey(List.of(new ClipKey("a", "cam:4"))).getFirst();
        ClipVector underB = store.clipsByKey(List.of(new ClipKey("b", "cam:4"))).getFirst();
        assertEquals(underA.getFrameEmbeddings(), underB.getFrameEmbeddings());
        assertEquals("seqTransf", underB.getAggregation().toString());
        float[][] frames = underA.getFrameEmbeddings().stream()
                .map(f -> {
                    float[] v = new float[f.size()];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = f.get(i);
                    }
                    return v;
                })
                .toArray(float[][]::new);
        assertArrayEquals(seqTransf.aggregateClip(frames), toArray(underB.getVector()), 1e-6f);
        assertEquals("meanP", underA.getAggregation().toString());
    }

    @Test
    void shouldDropARetiredVersionOnlyOnceEveryTargetHoldsItsClips() {
        VersionTarget b = new VersionTarget("b", new ClipAggregator(seqTransf));
        ShardRebuild rebuild = new ShardRebuild(4);

        // "a" is retired before "b" was built: its clips are the only frames there are, so they are built first.
        ShardRebuild.Step first = rebuild.step(store, models(Set.of("a"), b), NOW);
        assertEquals(4, first.built());
        assertEquals(0, first.dropped(), "the batch was spent building");
        ShardRebuild.Step second = rebuild.step(store, models(Set.of("a"), b), NOW + 1);
        assertEquals(3, second.built());
        assertEquals(1, second.dropped());
        for (long step = 2; store.clipsPerModelVersion().containsKey("a"); step++) {
            assertTrue(step < 10, "the retired version is dropped in a few steps");
            rebuild.step(store, models(Set.of("a"), b), NOW + step);
        }
        assertEquals(Map.of("b", 7L), store.clipsPerModelVersion());
    }

    @Test
    void shouldReportASingleVersionShardAsCompleteWithoutWork() {
        VersionTarget a = new VersionTarget("a", new ClipAggregator(meanP));
        ShardRebuild rebuild = new ShardRebuild(3);
        for (long minute = 0; minute < 3; minute++) {
            ShardRebuild.Step step = rebuild.step(store, models(Set.of(), a), NOW + minute * 60_000);
            assertEquals(Map.of("a", new ShardProgress(7, 7)), step.progress());
            assertEquals(0, step.built() + step.dropped());
        }
    }

    @Test
    void shouldDropARetiredVersionWithNoTargetOfItsEncoderOnlyOnceAnotherEncoderTookOver() {
        // "a" retired, no version of its encoder kept here (the one kept failed to load): its frames are all
        // there is to build from, so they stay.
        IndexModels.Snapshot stranded = new IndexModels.Snapshot(
                List.of(), Set.of("a", "b"), Set.of("a"), Map.of("b", "does not load"), Optional.empty());
        ShardRebuild.Step kept = new ShardRebuild(100).step(store, stranded, NOW);
        assertEquals(0, kept.dropped());
        assertEquals(Map.of("a", 7L), store.clipsPerModelVersion());

        // A version of another encoder (built from kept videos) took over: nothing needs "a"'s frames any more.
        IndexModels.Snapshot tookOver = new IndexModels.Snapshot(
                List.of(),
                Set.of("a"),
                Set.of("a"),
                Map.of(),
                Optional.of("c"),
                Map.of("c", new VersionTarget("c", new ClipAggregator(seqTransf))));
        ShardRebuild.Step dropped = new ShardRebuild(100).step(store, tookOver, NOW + 1);
        assertEquals(7, dropped.dropped());
        assertEquals(Map.of(), store.clipsPerModelVersion());
    }

    @Test
    void shouldDropAVersionOfAnotherVisualEncoderAtOnce() {
        VersionTarget b = new VersionTarget("b", new ClipAggregator(seqTransf));
        IndexModels.Snapshot models =
                new IndexModels.Snapshot(List.of(b), Set.of("b"), Set.of("a"), Map.of(), Optional.empty());
        ShardRebuild.Step step = new ShardRebuild(100).step(store, models, NOW);
        assertEquals(0, step.built(), "frames of another visual encoder cannot serve b");
        assertEquals(7, step.dropped());
        assertEquals(Map.of(), store.clipsPerModelVersion());
    }

    @Test
    void shouldIndexAClipUnderEveryTargetWhenItsFramesServeThem() {
        VersionTarget a = new VersionTarget("a", new ClipAggregator(meanP));
        VersionTarget b = new VersionTarget("b", new ClipAggregator(seqTransf));
        IndexModels.Snapshot models = models(Set.of(), a, b);
        assertEquals(
                List.of("b", "a"),
                models.indexUnder("b", a.aggregator()).stream()
                        .map(VersionTarget::version)
                        .toList());
        assertEquals(
                List.of("a", "b"),
                models.indexUnder("a", a.aggregator()).stream()
                        .map(VersionTarget::version)
                        .toList());
        assertEquals(
                List.of("x"),
                models.indexUnder("x", a.aggregator()).stream()
                        .map(VersionTarget::version)
                        .toList());
        IndexModels.Snapshot retiredX =
                new IndexModels.Snapshot(List.of(a), Set.of("a"), Set.of("x"), Map.of(), Optional.empty());
        assertEquals(List.of(), retiredX.indexUnder("x", a.aggregator()));
    }

    private static float[] toArray(List<Float> values) {
        float[] array = new float[values.size()];
        for (int i = 0; i < array.length; i++) {
            array[i] = values.get(i);
        }
        return array;
    }
}
