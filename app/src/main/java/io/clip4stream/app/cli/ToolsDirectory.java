package io.clip4stream.app.cli;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the repository's {@code tools/} folder from the running jar (app/target/...) or the working directory. */
final class ToolsDirectory {
    private ToolsDirectory() {}

    static Path locate() {
        try {
            Path jar = Path.of(ToolsDirectory.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            for (Path dir = jar; dir != null; dir = dir.getParent()) {
                if (Files.isRegularFile(dir.resolve("tools/convert_checkpoint.py"))) {
                    return dir.resolve("tools");
                }
            }
        } catch (URISyntaxException | SecurityException e) {
            // fall through to the working directory
        }
        Path cwd = Path.of("tools").toAbsolutePath();
        if (Files.isRegularFile(cwd.resolve("convert_checkpoint.py"))) {
            return cwd;
        }
        throw new IllegalStateException(
                "Cannot find tools/convert_checkpoint.py; run from a Clip4Stream checkout (bin/clip4stream)");
    }
}
