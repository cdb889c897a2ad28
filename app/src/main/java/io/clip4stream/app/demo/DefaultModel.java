package io.clip4stream.app.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.clip4stream.model.weights.ModelDirectory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

/**
 * The default model: trained by {@code model train-demo} on the demo world and bundled in the application, so that the
 * first {@code run} finds things (in that world only). It is copied out to a model directory on first use.
 */
public final class DefaultModel {

    /** Where the bundled files live on the class path. */
    public static final String RESOURCE_ROOT = "/io/clip4stream/app/demo/model/";

    private static final List<String> FILES = List.of(ModelDirectory.WEIGHTS_FILE, ModelDirectory.CONFIG_FILE);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private DefaultModel() {}

    /** Returns whether this build bundles the default model. */
    public static boolean bundled() {
        return DefaultModel.class.getResource(RESOURCE_ROOT + ModelDirectory.CONFIG_FILE) != null;
    }

    /** Returns the bundled model's version, when bundled. */
    public static Optional<String> bundledVersion() {
        try (InputStream in = DefaultModel.class.getResourceAsStream(RESOURCE_ROOT + ModelDirectory.CONFIG_FILE)) {
            return in == null
                    ? Optional.empty()
                    : Optional.of(JSON.readTree(in).path("model_version").asText());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the bundled default model's config.json", e);
        }
    }

    /** Returns {@code dir} holding the bundled default model, copying it there first when missing or older. */
    public static Path ensure(Path dir) {
        String version = bundledVersion()
                .orElseThrow(() -> new IllegalStateException("this build bundles no default model under "
                        + RESOURCE_ROOT + "; train one with `bin/clip4stream model train-demo --out DIR`"));
        Path config = dir.resolve(ModelDirectory.CONFIG_FILE);
        try {
            if (Files.isRegularFile(config)) {
                JsonNode present = JSON.readTree(config.toFile());
                if (version.equals(present.path("model_version").asText())) {
                    return dir;
                }
            }
            Files.createDirectories(dir);
            // config.json last: a directory with a config is whole.
            for (String name : FILES) {
                try (InputStream in = DefaultModel.class.getResourceAsStream(RESOURCE_ROOT + name)) {
                    if (in == null) {
                        throw new IllegalStateException("the bundled default model lacks " + name);
                    }
                    Path partial = dir.resolve(name + ".partial");
                    Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
                    Files.move(
                            partial,
                            dir.resolve(name),
                            StandardCopyOption.REPLACE_EXISTING,
                            StandardCopyOption.ATOMIC_MOVE);
                }
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the default model to " + dir, e);
        }
    }
}
