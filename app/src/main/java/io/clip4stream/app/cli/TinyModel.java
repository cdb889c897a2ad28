package io.clip4stream.app.cli;

import io.clip4stream.model.weights.ModelDirectory;
import io.clip4stream.model.weights.TinyModelGenerator;
import io.clip4stream.model.weights.TinyModelShape;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The bundled tiny model: generated deterministically on first use, the default for tests and the run command. */
public final class TinyModel {
    /** Seed of the bundled tiny model. */
    public static final long SEED = 4_2021L;

    /** Model id written into its config. */
    public static final String MODEL_ID = "clip4clip-tiny-random";

    /** Where the launcher keeps it. */
    public static final Path DEFAULT_DIR = Path.of(".clip4stream", "models", "tiny");

    private TinyModel() {}

    /** Returns {@code dir}, generating the tiny model there first if it holds no model yet. */
    public static Path ensure(Path dir) {
        if (Files.isRegularFile(dir.resolve(ModelDirectory.CONFIG_FILE))) {
            return dir;
        }
        try {
            new TinyModelGenerator(SEED).generate(dir, TinyModelShape.defaults(), MODEL_ID);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the tiny model to " + dir, e);
        }
    }
}
