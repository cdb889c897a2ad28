package io.clip4stream.app.chaos;

import io.clip4stream.app.cluster.ClusterLayout;
import io.clip4stream.app.cluster.ExpectedClips;
import io.clip4stream.app.cluster.LocalCluster;
import io.clip4stream.index.http.KnnRequest;
import io.clip4stream.ingest.decode.SyntheticVideo;
import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.ModelInfo;
import io.clip4stream.model.ModelOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * Runs chaos trials on a {@link LocalCluster}: per trial, submits a few short synthetic videos, crashes the planned
 * instance or broker at the planned moment, starts it again and waits until the trial's clips are committed; at the
 * end counts every clip in {@code clip-vectors} and in both index instances.
 */
public final class ChaosTrials {
    /** Frames per second of the synthetic videos. */
    public static final int VIDEO_FPS = 10;

    /** Frames per second ingest samples. */
    public static final double SAMPLING_FPS = 4;

    /** Sampled frames per clip. */
    public static final int WINDOW = 12;

    private static final int PARTITIONS = 3;
    private static final int BASE_WIDTH = 320;
    private static final int BASE_HEIGHT = 240;
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration POLL = Duration.ofMillis(500);

    private ChaosTrials() {}

    /**
     * How to run.
     *
     * @param trials how many trials
     * @param seed the seed of the plan
     * @param sourcesPerTrial sources submitted at the start of each trial
     * @param videoSeconds seconds of each source's video
     * @param windowMillis the crash falls in {@code [0, windowMillis)} after submission
     * @param settleTimeout how long to wait for a trial's clips (and, at the end, for the indexes) before counting
     * @param workDir brokers' data, instances' state and logs, videos
     * @param modelDir the model every service loads
     */
    public record Options(
            int trials,
            long seed,
            int sourcesPerTrial,
            int videoSeconds,
            long windowMillis,
            Duration settleTimeout,
            Path workDir,
            Path modelDir) {
        /** Validates the counts. */
        public Options {
            if (trials < 1 || sourcesPerTrial < 1 || videoSeconds < 1) {
                throw new IllegalArgumentException("trials " + trials + ", sources per trial " + sourcesPerTrial
                        + " and video seconds " + videoSeconds + " must each be at least 1");
            }
        }
    }

    /**
     * Runs the trials; {@code progress} hears each step, and {@code counted} the report as soon as the clips are
     * counted, before the cluster stops (which can take minutes: see {@link LocalCluster#close}).
     */
    public static ChaosReport run(Options options, Consumer<String> progress, Consumer<ChaosReport> counted)
            throws IOException, InterruptedException {
        long began = System.nanoTime();
        int frames = options.videoSeconds() * VIDEO_FPS;
        int clipsPerSource = ExpectedClips.of(frames, VIDEO_FPS, SAMPLING_FPS, WINDOW);
        int total = clipsPerSource * options.sourcesPerTrial() * options.trials();
        if (total > KnnRequest.MAX_K) {
            // Each index instance is counted with one k-NN query, which returns at most MAX_K clips.
            throw new IllegalArgumentException(total + " clips expected; at most " + KnnRequest.MAX_K
                    + " can be counted: fewer trials, sources per trial or seconds");
        }
        ModelInfo info;
        try (Clip4ClipModel model = Clip4ClipModel.load(options.modelDir(), ModelOptions.defaults())) {
            info = model.info();
        }
        Path media = options.workDir().resolve("media");
        Files.createDirectories(media);
        List<List<String>> sourcesByTrial = new ArrayList<>();
        Map<String, Integer> expected = new LinkedHashMap<>();
        progress.accept("writing " + options.trials() * options.sourcesPerTrial() + " synthetic videos of "
                + options.videoSeconds() + " s");
        for (int trial = 1; trial <= options.trials(); trial++) {
            List<String> sources = new ArrayList<>();
            for (int s = 0; s < options.sourcesPerTrial(); s++) {
                String id = "trial-" + trial + "-source-" + s;
                // Different sizes per source, so that no two sources of a trial share a frame.
                SyntheticVideo.h264Mp4(BASE_WIDTH + 32 * s, BASE_HEIGHT + 16 * s, VIDEO_FPS, frames)
                        .withFaststart(true)
                        .writeTo(media.resolve(id + ".mp4"));
                sources.add(id);
                expected.put(id, clipsPerSource);
            }
            sourcesByTrial.add(sources);
        }

        LocalCluster.Options clusterOptions = new LocalCluster.Options(
                options.workDir(), options.modelDir(), media, PARTITIONS, info.imageSize(), SAMPLING_FPS, WINDOW);
        try (LocalCluster cluster = LocalCluster.start(clusterOptions, READY_TIMEOUT, progress)) {
            ChaosPlan plan =
                    ChaosPlan.draw(options.seed(), options.trials(), cluster.victims(), options.windowMillis());
            progress.accept("cluster ready; plan (seed " + options.seed() + "): " + plan.trials());
            List<Crash> crashes = new ArrayList<>();
            for (ChaosPlan.Trial trial : plan.trials()) {
                crashes.add(runTrial(
                        cluster, trial, sourcesByTrial.get(trial.number() - 1), expected, options, media, progress));
            }
            float[] vector = unitVector(info.embedDim());
            Count count = awaitIndexes(cluster, expected, vector, options.settleTimeout(), progress);
            List<ChaosReport.TrialResult> results = new ArrayList<>();
            for (Crash crash : crashes) {
                ChaosPlan.Trial trial = crash.trial();
                ClipTally tally = ClipTally.countOnly(
                        Set.copyOf(sourcesByTrial.get(trial.number() - 1)),
                        expected,
                        count.committed(),
                        count.indexes());
                results.add(new ChaosReport.TrialResult(
                        trial.number(),
                        trial.victim(),
                        crash.atMillis(),
                        trial.atMillis(),
                        crash.recoveredMillis(),
                        crash.settledMillis(),
                        crash.settled(),
                        tally));
            }
            ClipTally totals = ClipTally.count(expected, count.committed(), count.indexes());
            ChaosReport report = new ChaosReport(options.seed(), totals, results, (System.nanoTime() - began) / 1e9);
            counted.accept(report);
            progress.accept("stopping the cluster");
            return report;
        }
    }

    /** What one trial did, before its clips are counted. */
    private record Crash(
            ChaosPlan.Trial trial, long atMillis, long recoveredMillis, long settledMillis, boolean settled) {}

    /** What {@code clip-vectors} and each index instance held when counted. */
    private record Count(Map<String, List<Long>> committed, List<Map<String, List<Long>>> indexes) {}

    private static Crash runTrial(
            LocalCluster cluster,
            ChaosPlan.Trial trial,
            List<String> sources,
            Map<String, Integer> expected,
            Options options,
            Path media,
            Consumer<String> progress)
            throws IOException, InterruptedException {
        long submitted = System.nanoTime();
        for (String source : sources) {
            cluster.submit(source, media.resolve(source + ".mp4"));
        }
        long wait = trial.atMillis() - millisSince(submitted);
        if (wait > 0) {
            Thread.sleep(wait);
        }
        long at = millisSince(submitted);
        cluster.crash(trial.victim());
        long crashed = System.nanoTime();
        progress.accept("trial " + trial.number() + ": crashed " + trial.victim() + " at " + at + " ms");
        cluster.recover(trial.victim());
        cluster.awaitReady(READY_TIMEOUT);
        long recovered = millisSince(crashed);
        long deadline = System.nanoTime() + options.settleTimeout().toNanos();
        boolean settled = false;
        while (!settled && System.nanoTime() < deadline) {
            Map<String, List<Long>> committed = cluster.committedClipIndexes();
            settled = sources.stream()
                    .allMatch(s -> committed.getOrDefault(s, List.of()).stream()
                                    .distinct()
                                    .count()
                            >= expected.get(s));
            if (!settled) {
                Thread.sleep(POLL.toMillis());
            }
        }
        long settledMillis = millisSince(submitted);
        progress.accept("trial " + trial.number() + ": " + trial.victim() + " ready again after " + recovered
                + " ms; clips " + (settled ? "committed" : "NOT all committed") + " " + settledMillis
                + " ms after submission");
        return new Crash(trial, at, recovered, settledMillis, settled);
    }

    /**
     * Waits until the two index instances together serve each partition once and return every expected clip once (or
     * the settle timeout passed), and returns what {@code clip-vectors} and each instance then hold.
     */
    private static Count awaitIndexes(
            LocalCluster cluster,
            Map<String, Integer> expected,
            float[] vector,
            Duration timeout,
            Consumer<String> progress)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, List<Long>> committed = Map.of();
        List<Map<String, List<Long>>> indexes = List.of();
        String state = "no answer";
        while (true) {
            // Read again each round: a trial that did not settle may still be committing.
            committed = cluster.committedClipIndexes();
            try {
                List<LocalCluster.IndexView> views = new ArrayList<>();
                for (String instance : ClusterLayout.INSTANCES) {
                    views.add(cluster.indexView(instance, vector, KnnRequest.MAX_K));
                }
                indexes =
                        views.stream().map(LocalCluster.IndexView::clipIndexes).toList();
                List<Integer> partitions = views.stream()
                        .flatMap(v -> v.partitions().stream())
                        .sorted()
                        .toList();
                ClipTally tally = ClipTally.count(expected, committed, indexes);
                state = "partitions " + partitions + ", " + tally;
                boolean eachPartitionOnce =
                        partitions.equals(IntStream.range(0, PARTITIONS).boxed().toList());
                if (eachPartitionOnce && tally.unsearchable() == 0 && tally.doubled() == 0) {
                    progress.accept("index instances settled: " + state);
                    return new Count(committed, indexes);
                }
            } catch (IOException e) {
                state = e.getMessage();
            }
            if (System.nanoTime() > deadline) {
                progress.accept(
                        "index instances did not settle within " + timeout + "; counting as they are: " + state);
                return new Count(committed, indexes);
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    /** A unit vector: any query vector ranks every clip, and the count asks for all of them. */
    private static float[] unitVector(int dimension) {
        float[] vector = new float[dimension];
        Arrays.fill(vector, (float) (1 / Math.sqrt(dimension)));
        return vector;
    }

    private static long millisSince(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }
}
