package io.clip4stream.app.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code clip4stream bench}: the benchmarks; each prints a table, or one JSON object with {@code --json}. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Benchmarks: a table on stdout, one JSON object with --json.",
        subcommands = {BenchKnnCommand.class, BenchFreshnessCommand.class})
public final class BenchCommand implements Runnable {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
