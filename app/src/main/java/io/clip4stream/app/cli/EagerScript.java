package io.clip4stream.app.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One run of a PyTorch eager baseline script of {@code tools/} under the first Python that imports torch
 * ({@link TorchPython}), with {@code OMP_NUM_THREADS} set to the thread count; its stderr goes to the progress lines.
 *
 * @param fileName the script's name under {@code tools/}
 * @param arguments the script's arguments
 * @param threads the thread count, also passed to OpenMP
 * @param limitSeconds how long the run may take before it is killed and reported as not measured
 */
record EagerScript(String fileName, List<String> arguments, int threads, long limitSeconds) {

    /** What a run gave. */
    sealed interface Outcome {}

    /**
     * The script exited with status 0.
     *
     * @param python the interpreter
     * @param torchVersion its torch version
     * @param lastLine the last line of its stdout (the scripts print one JSON object there)
     */
    record Finished(String python, String torchVersion, String lastLine) implements Outcome {}

    /** Nothing was measured, and why: {@code note} starts with "not measured: ". */
    record NotMeasured(String note) implements Outcome {}

    /** Runs the script; call it after our own measurement, never alongside it, since both would share the cores. */
    Outcome run(Consumer<String> progress) {
        List<String> rejected = new ArrayList<>();
        var python = TorchPython.find(TorchPython.CANDIDATES, rejected);
        if (python.isEmpty()) {
            return new NotMeasured("not measured: no Python with PyTorch (" + String.join("; ", rejected)
                    + "); install python3-torch to compare");
        }
        Path script;
        try {
            script = ToolsDirectory.locate().resolve(fileName);
        } catch (IllegalStateException e) {
            return new NotMeasured("not measured: " + e.getMessage());
        }
        List<String> command = new ArrayList<>();
        command.add(python.get().executable());
        command.add(script.toString());
        command.addAll(arguments);
        progress.accept("pytorch eager (" + python.get().executable() + ", torch "
                + python.get().torchVersion() + "): " + String.join(" ", command));
        try {
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().put("OMP_NUM_THREADS", Integer.toString(threads));
            Process process = builder.start();
            process.getOutputStream().close();
            Thread errors = Thread.ofVirtual().start(() -> {
                try (var lines = process.errorReader(StandardCharsets.UTF_8).lines()) {
                    lines.forEach(progress);
                } catch (UncheckedIOException e) {
                    progress.accept("(stderr of the eager run unreadable: " + e.getMessage() + ")");
                }
            });
            CompletableFuture<String> stdout = CompletableFuture.supplyAsync(
                    () -> {
                        try {
                            return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    },
                    task -> Thread.ofVirtual().start(task));
            // Waiting on the process, not on its stdout: a script that hangs with stdout open is still stopped.
            if (!process.waitFor(limitSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new NotMeasured("not measured: the eager run did not finish in " + limitSeconds + " s");
            }
            errors.join();
            if (process.exitValue() != 0) {
                return new NotMeasured("not measured: " + script.getFileName() + " failed with exit status "
                        + process.exitValue() + " (see the lines above)");
            }
            String last = stdout.join().strip().lines().reduce((a, b) -> b).orElse("");
            return new Finished(python.get().executable(), python.get().torchVersion(), last);
        } catch (IOException | CompletionException e) {
            return new NotMeasured("not measured: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new NotMeasured("not measured: interrupted");
        }
    }
}
