package io.clip4stream.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code clip4stream version}: Clip4Stream's version and those of Kafka, Lucene, DJL, PyTorch, FFmpeg and Java. */
@Command(name = "version", description = "Print the versions of Clip4Stream and its components.")
public final class VersionCommand implements Callable<Integer> {
    @Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--json", description = "Print one JSON object.")
    private boolean json;

    @Override
    public Integer call() throws Exception {
        BuildInfo info = BuildInfo.load();
        var out = spec.commandLine().getOut();
        if (json) {
            out.println(new ObjectMapper().writeValueAsString(new java.util.TreeMap<>(info.versions())));
        } else {
            out.println("clip4stream " + info.version());
            info.versions().entrySet().stream()
                    .filter(e -> !e.getKey().equals("version"))
                    .sorted(java.util.Map.Entry.comparingByKey())
                    .forEach(e -> out.printf("  %-8s %s%n", e.getKey(), e.getValue()));
        }
        out.flush();
        return 0;
    }
}
