package io.clip4stream.app.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/** {@code clip4stream bench ...}: the benchmarks, each a subcommand printing a table, or JSON with {@code --json}. */
@Command(
        name = "bench",
        description = "Run a benchmark (a table on stdout, one JSON object with --json).",
        subcommands = {QueryBenchCommand.class})
public final class BenchCommand implements Runnable {
    @Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
