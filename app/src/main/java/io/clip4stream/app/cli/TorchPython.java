package io.clip4stream.app.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A Python interpreter that can {@code import torch}, for the tools under {@code tools/} (the PyTorch eager baseline of
 * {@code bench encoder}) and the tests that make real PyTorch files; checkpoint conversion needs none.
 *
 * <p>The first of {@code python3} (whatever is on the PATH, possibly a pyenv or venv Python) and {@code /usr/bin/python3}
 * (Debian's, where {@code python3-torch} installs) that imports torch wins: a pyenv shim on the PATH often has no
 * torch while the system Python does.
 *
 * @param executable the interpreter, as passed to a process builder
 * @param torchVersion {@code torch.__version__} as that interpreter reports it
 */
record TorchPython(String executable, String torchVersion) {

    /** The interpreters tried, in order, when none is given. */
    static final List<String> CANDIDATES = List.of("python3", "/usr/bin/python3");

    private static final long PROBE_SECONDS = 120;

    /** Returns the first candidate that imports torch, or empty when none does. */
    static Optional<TorchPython> find() {
        return find(CANDIDATES, new ArrayList<>());
    }

    /** Like {@link #find()} but from {@code candidates}, adding one line per rejected candidate to {@code rejected}. */
    static Optional<TorchPython> find(List<String> candidates, List<String> rejected) {
        for (String candidate : candidates) {
            Probe probe = probe(candidate);
            if (probe.ok()) {
                return Optional.of(new TorchPython(candidate, probe.output()));
            }
            rejected.add(candidate + ": " + probe.output());
        }
        return Optional.empty();
    }

    /**
     * Returns {@code explicit} when given (checked to import torch), otherwise the first candidate that imports torch.
     *
     * @throws IllegalStateException naming every interpreter tried and why it was rejected
     */
    static TorchPython require(String explicit) {
        List<String> candidates = explicit == null ? CANDIDATES : List.of(explicit);
        List<String> rejected = new ArrayList<>();
        return find(candidates, rejected)
                .orElseThrow(() -> new IllegalStateException("No Python interpreter with PyTorch found (tried "
                        + String.join("; ", rejected)
                        + "). Install PyTorch ('apt-get install python3-torch' or 'pip install torch') or pass"
                        + " --python PATH."));
    }

    private record Probe(boolean ok, String output) {}

    private static Probe probe(String interpreter) {
        Process process;
        try {
            process = new ProcessBuilder(interpreter, "-c", "import torch; print(torch.__version__)")
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            return new Probe(false, "cannot run it (" + e.getMessage() + ")");
        }
        try {
            process.getOutputStream().close();
            byte[] bytes = process.getInputStream().readAllBytes();
            if (!process.waitFor(PROBE_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new Probe(false, "'import torch' did not finish in " + PROBE_SECONDS + " s");
            }
            String text = new String(bytes, java.nio.charset.StandardCharsets.UTF_8).strip();
            if (process.exitValue() == 0) {
                return new Probe(true, text.lines().reduce((a, b) -> b).orElse("unknown"));
            }
            String last = text.lines().reduce((a, b) -> b).orElse("exit status " + process.exitValue());
            return new Probe(false, "cannot import torch (" + last + ")");
        } catch (IOException e) {
            process.destroyForcibly();
            return new Probe(false, "probe failed (" + e.getMessage() + ")");
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            return new Probe(false, "interrupted");
        }
    }
}
