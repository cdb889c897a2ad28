package io.clip4stream.app.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Versions of Clip4Stream and of the components it was built with, read from the build-time resource.
 *
 * @param versions component name to version, Clip4Stream's own under {@code version}
 */
public record BuildInfo(Map<String, String> versions) {
    private static final String RESOURCE = "/io/clip4stream/app/version.properties";

    /** Loads the versions written by the build. */
    public static BuildInfo load() {
        Properties props = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("Missing " + RESOURCE + "; the app jar was not built by Maven");
            }
            props.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + RESOURCE, e);
        }
        Map<String, String> versions = new LinkedHashMap<>();
        for (String key : new String[] {"version", "kafka", "lucene", "djl", "pytorch", "ffmpeg", "avro"}) {
            versions.put(key, props.getProperty(key, "unknown"));
        }
        versions.put("java", Runtime.version().toString());
        return new BuildInfo(Map.copyOf(versions));
    }

    /** Clip4Stream's version. */
    public String version() {
        return versions.get("version");
    }
}
