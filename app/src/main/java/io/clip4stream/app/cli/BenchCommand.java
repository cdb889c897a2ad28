package io.clip4stream.app.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/**
 * {@code clip4stream bench ...}: performance measurements, each next to a baseline measured in the same run.
 *
 * <p>Convention for every subcommand: a readable table on stdout and, with {@code --json}, one JSON object holding
 * every figure.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Benchmarks; each prints our figure next to a baseline from the same run (--json for scripts).",
        subcommands = {
            BenchAlertLatencyCommand.class,
            BenchChaosCommand.class,
            BenchFreshnessCommand.class,
            BenchKnnCommand.class,
            DecodeBenchCommand.class,
            EncoderBenchCommand.class,
            EncoderServiceBenchCommand.class,
            LoadBenchCommand.class,
            QueryBenchCommand.class,
            BenchRerankCommand.class,
            BenchStorageCommand.class,
            TrainBenchCommand.class,
            BenchWatchCommand.class
        })
public final class BenchCommand implements Runnable {
    @Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
