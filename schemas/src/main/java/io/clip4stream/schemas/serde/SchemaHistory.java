package io.clip4stream.schemas.serde;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;

/**
 * Older writer schemas of a record type, shipped as class-path resources so readers resolve them without a registry.
 *
 * <p>Layout: {@code io/clip4stream/schemas/history/<FullName>/index.txt} lists one {@code .avsc} file name per line,
 * each beside it. When a schema changes, its previous version is copied there and added to the index.
 */
public final class SchemaHistory {
    /** Class-path folder that holds the histories. */
    public static final String ROOT = "io/clip4stream/schemas/history/";

    private SchemaHistory() {}

    /** Loads every older schema of {@code fullName} listed on the class path of {@code loader}. */
    public static List<Schema> load(String fullName, ClassLoader loader) {
        String folder = ROOT + fullName + "/";
        try (InputStream index = loader.getResourceAsStream(folder + "index.txt")) {
            if (index == null) {
                return List.of();
            }
            List<Schema> schemas = new ArrayList<>();
            for (String line : new String(index.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String file = line.strip();
                if (file.isEmpty() || file.startsWith("#")) {
                    continue;
                }
                try (InputStream in = loader.getResourceAsStream(folder + file)) {
                    if (in == null) {
                        throw new IllegalStateException(
                                "Schema history " + folder + "index.txt lists " + file + ", which is missing");
                    }
                    Schema schema = new Schema.Parser().parse(in);
                    if (!schema.getFullName().equals(fullName)) {
                        throw new IllegalStateException("Schema history " + folder + file + " holds "
                                + schema.getFullName() + ", not " + fullName);
                    }
                    schemas.add(schema);
                }
            }
            return List.copyOf(schemas);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the schema history of " + fullName, e);
        }
    }
}
