package io.clip4stream.app.cli;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where {@code run} keeps its state (broker, index, uploads, logs, {@code run.json}) and where {@code ingest},
 * {@code status} and {@code search} look for a running instance, whatever the working directory:
 * {@code --data-dir} when given, else {@code $XDG_STATE_HOME/clip4stream}, else {@code ~/.local/state/clip4stream}.
 */
final class StateDirectory {
    private StateDirectory() {}

    /** The state directory: {@code given} (from {@code --data-dir}) or the per-user default. */
    static Path resolve(Path given, Map<String, String> environment) {
        if (given != null) {
            return given.toAbsolutePath();
        }
        String state = environment.get("XDG_STATE_HOME");
        if (state != null && !state.isBlank()) {
            return Path.of(state, "clip4stream");
        }
        String home = environment.getOrDefault("HOME", System.getProperty("user.home"));
        return Path.of(home, ".local", "state", "clip4stream");
    }
}
