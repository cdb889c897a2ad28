package io.clip4stream.app.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.app.chaos.ChaosReport;
import io.clip4stream.app.chaos.ChaosTrials;
import io.clip4stream.app.chaos.ClipTally;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code clip4stream bench chaos}: crash trials on a local three-broker cluster with two instances of every service,
 * counting every clip lost, doubled or unsearchable; exits 1 when any is.
 */
@Command(
        name = "chaos",
        mixinStandardHelpOptions = true,
        description = "Start 3 embedded brokers and two instances of every service (each its own JVM); per trial,"
                + " submit short videos, SIGKILL a random service instance (or stop a random broker) at a random"
                + " moment of ingest, start it again; at the end count every clip in clip-vectors and in both index"
                + " instances. Exits 1 when a clip was lost, doubled, unsearchable or unexpected.")
public final class BenchChaosCommand implements Callable<Integer> {
    /** The exit status when a clip was lost, doubled, unsearchable or unexpected. */
    static final int UNCLEAN = 1;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--trials", description = "Trials, each one crash (default: 20).", defaultValue = "20")
    private int trials;

    @Option(names = "--seed", description = "Seed of the plan (victims and moments); default: drawn and printed.")
    private Long seed;

    @Option(
            names = "--sources-per-trial",
            description = "Videos submitted at the start of each trial (default: 2).",
            defaultValue = "2")
    private int sourcesPerTrial;

    @Option(
            names = "--video-seconds",
            description = "Seconds of each synthetic video, 10 fps (default: 8).",
            defaultValue = "8")
    private int videoSeconds;

    @Option(
            names = "--window-ms",
            description = "The crash falls in [0, this) ms after a trial's videos were submitted (default: 4000).",
            defaultValue = "4000")
    private long windowMillis;

    @Option(
            names = "--settle-seconds",
            description = "How long to wait for a trial's clips, and at the end for the indexes, before counting"
                    + " (default: 180).",
            defaultValue = "180")
    private long settleSeconds;

    @Option(
            names = "--work-dir",
            description =
                    "Where brokers, instances and logs keep their files; default: a new" + " temporary directory.")
    private Path workDir;

    @Option(names = "--model-dir", description = "A model directory; default: the bundled tiny model.")
    private Path modelDir;

    @Option(names = "--json", description = "Print one JSON object.")
    private boolean json;

    @Override
    public Integer call() throws Exception {
        if (trials < 1 || sourcesPerTrial < 1 || videoSeconds < 1 || windowMillis < 1 || settleSeconds < 1) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "--trials, --sources-per-trial, --video-seconds, --window-ms and --settle-seconds must be"
                            + " positive");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter progress = spec.commandLine().getErr();
        Path work = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("clip4stream-chaos");
        Path model = modelDir != null ? modelDir : TinyModel.ensure(work.resolve("model"));
        long planSeed = seed != null ? seed : System.nanoTime();
        progress.println("chaos: " + trials + " trials, seed " + planSeed + ", files under " + work);
        progress.flush();
        ChaosReport report = ChaosTrials.run(
                new ChaosTrials.Options(
                        trials,
                        planSeed,
                        sourcesPerTrial,
                        videoSeconds,
                        windowMillis,
                        Duration.ofSeconds(settleSeconds),
                        work,
                        model),
                step -> {
                    progress.println(step);
                    progress.flush();
                },
                counted -> {
                    // Printed before the cluster stops, so the figures are out even when the brokers' stop is slow.
                    if (json) {
                        try {
                            out.println(new ObjectMapper().writeValueAsString(counted.toJson()));
                        } catch (JsonProcessingException e) {
                            throw new UncheckedIOException("Cannot write the chaos report as JSON", e);
                        }
                    } else {
                        print(out, counted);
                    }
                    out.flush();
                });
        return report.clean() ? 0 : UNCLEAN;
    }

    private static void print(PrintWriter out, ChaosReport report) {
        out.printf(
                Locale.ROOT,
                "%5s %-10s %8s %12s %11s %6s %5s %7s %12s%n",
                "trial",
                "killed",
                "at ms",
                "recovered ms",
                "settled ms",
                "clips",
                "lost",
                "doubled",
                "unsearchable");
        for (ChaosReport.TrialResult trial : report.trials()) {
            ClipTally tally = trial.tally();
            out.printf(
                    Locale.ROOT,
                    "%5d %-10s %8d %12d %11s %6d %5d %7d %12d%n",
                    trial.trial(),
                    trial.killed(),
                    trial.atMillis(),
                    trial.recoveredMillis(),
                    trial.settled() ? Long.toString(trial.settledMillis()) : "timed out",
                    tally.expected(),
                    tally.lost(),
                    tally.doubled(),
                    tally.unsearchable());
        }
        ClipTally total = report.total();
        out.printf(
                Locale.ROOT,
                "total: %d trials (seed %d), %d clips expected: %d lost, %d doubled, %d unsearchable, %d unexpected;"
                        + " %.0f s%n",
                report.trials().size(),
                report.seed(),
                total.expected(),
                total.lost(),
                total.doubled(),
                total.unsearchable(),
                total.unexpected(),
                report.wallSeconds());
    }
}
