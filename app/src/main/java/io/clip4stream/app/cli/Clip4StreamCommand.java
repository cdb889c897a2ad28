package io.clip4stream.app.cli;

import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The top-level {@code clip4stream} command; its subcommands do the work. */
@Command(
        name = "clip4stream",
        mixinStandardHelpOptions = true,
        // Every subcommand takes --help and prints only its usage, even when a required parameter is missing.
        scope = CommandLine.ScopeType.INHERIT,
        versionProvider = Clip4StreamCommand.Versions.class,
        description = "Streaming text-to-video retrieval (CLIP4Clip) on Apache Kafka.",
        subcommands = {CommandLine.HelpCommand.class})
public final class Clip4StreamCommand implements Runnable {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /** Builds the command line with its output streams and environment; {@code main} and tests both call this. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err, Map<String, String> environment) {
        CommandLine.IFactory factory = new CommandFactory(environment);
        CommandLine commandLine = new CommandLine(new Clip4StreamCommand(), factory);
        // One command per line, in the order --help lists them.
        commandLine.addSubcommand(new CommandLine(RunCommand.class, factory));
        commandLine.addSubcommand(new CommandLine(IngestCommand.class, factory));
        commandLine.addSubcommand(new CommandLine(StatusCommand.class, factory));
        commandLine.addSubcommand(new CommandLine(SearchCommand.class, factory));
        commandLine.addSubcommand(new CommandLine(CaptionCommand.class, factory));
        commandLine.addSubcommand(new CommandLine(WatchCommands.Watch.class, factory));
        commandLine.addSubcommand(new CommandLine(WatchCommands.Watches.class, factory));
        commandLine.addSubcommand(new CommandLine(WatchCommands.Unwatch.class, factory));
        commandLine.addSubcommand(new CommandLine(SourcesCommand.class, factory));
        commandLine.addSubcommand(new CommandLine(ProbeCommand.class, factory));
        commandLine.addSubcommand(new CommandLine(ModelCommand.class, factory));
        commandLine.addSubcommand(new CommandLine(TrainCommand.class, factory));
        commandLine.addSubcommand(new CommandLine(BenchCommand.class, factory));
        commandLine.addSubcommand(new CommandLine(BrokerCommand.class, factory));
        commandLine.addSubcommand(new CommandLine(ServiceCommands.Ingest.class, factory));
        commandLine.addSubcommand(new CommandLine(ServiceCommands.Encoder.class, factory));
        commandLine.addSubcommand(new CommandLine(ServiceCommands.Index.class, factory));
        commandLine.addSubcommand(new CommandLine(ServiceCommands.Query.class, factory));
        commandLine.addSubcommand(new CommandLine(ServiceCommands.Alert.class, factory));
        commandLine.addSubcommand(new CommandLine(VersionCommand.class, factory));
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println(cmd.getColorScheme().errorText("Error: " + e.getMessage()));
            for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
                cmd.getErr().println("  caused by: " + cause);
            }
            return 1;
        });
        return commandLine;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Supplies {@code --version}. */
    static final class Versions implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"clip4stream " + BuildInfo.load().version()};
        }
    }

    /** Creates commands, giving those that read settings the environment passed to {@link #commandLine}. */
    private record CommandFactory(Map<String, String> environment) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> type) throws Exception {
            try {
                return type.getDeclaredConstructor(Map.class).newInstance(environment);
            } catch (NoSuchMethodException e) {
                return CommandLine.defaultFactory().create(type);
            }
        }
    }
}
