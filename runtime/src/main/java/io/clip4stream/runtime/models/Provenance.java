package io.clip4stream.runtime.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a model directory's weights came from ({@code provenance.json}): source, revision, digests and how they were
 * checked, licence, trained heads and when it was pulled.
 *
 * @param name the model's registry name (or {@code url/...})
 * @param revision the revision pulled
 * @param resolvedCommit the commit a Hugging Face revision resolved to, when the Hub said
 * @param files one entry per downloaded file
 * @param licence the licence
 * @param licenceUrl where its text is
 * @param trainedHeads the heads whose weights were trained
 * @param pulledAt when the directory was written (ISO-8601)
 * @param conversion the converter's summary
 */
public record Provenance(
        String name,
        String revision,
        Optional<String> resolvedCommit,
        List<FileRecord> files,
        String licence,
        String licenceUrl,
        List<String> trainedHeads,
        String pulledAt,
        String conversion) {

    /** File name of the provenance record inside a model directory. */
    public static final String FILE = "provenance.json";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * One downloaded file.
     *
     * @param file its name
     * @param url where it came from
     * @param sha256 its SHA-256 as computed after the download
     * @param size its size in bytes
     * @param verification how it was checked
     */
    public record FileRecord(String file, String url, String sha256, long size, String verification) {}

    /** Validates the fields and copies the lists. */
    public Provenance {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(revision, "revision");
        Objects.requireNonNull(resolvedCommit, "resolvedCommit");
        files = List.copyOf(files);
        Objects.requireNonNull(licence, "licence");
        Objects.requireNonNull(licenceUrl, "licenceUrl");
        trainedHeads = List.copyOf(trainedHeads);
        Objects.requireNonNull(pulledAt, "pulledAt");
        Objects.requireNonNull(conversion, "conversion");
    }

    /** Writes {@code provenance.json} into {@code modelDir}, atomically. */
    public void write(Path modelDir) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("name", name);
        root.put("revision", revision);
        resolvedCommit.ifPresent(commit -> root.put("resolved_commit", commit));
        ArrayNode sources = root.putArray("files");
        for (FileRecord file : files) {
            sources.addObject()
                    .put("file", file.file())
                    .put("url", file.url())
                    .put("sha256", file.sha256())
                    .put("size", file.size())
                    .put("verification", file.verification());
        }
        root.put("licence", licence);
        root.put("licence_url", licenceUrl);
        ArrayNode heads = root.putArray("trained_heads");
        trainedHeads.forEach(heads::add);
        root.put("pulled_at", pulledAt);
        root.put("conversion", conversion);
        Path partial = modelDir.resolve(FILE + ".partial");
        Files.writeString(
                partial, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n", StandardCharsets.UTF_8);
        Files.move(
                partial, modelDir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Reads {@code provenance.json} from {@code modelDir}. */
    public static Provenance read(Path modelDir) throws IOException {
        JsonNode root = JSON.readTree(modelDir.resolve(FILE).toFile());
        List<FileRecord> files = new ArrayList<>();
        for (JsonNode file : root.path("files")) {
            files.add(new FileRecord(
                    file.path("file").asText(),
                    file.path("url").asText(),
                    file.path("sha256").asText(),
                    file.path("size").asLong(),
                    file.path("verification").asText()));
        }
        List<String> heads = new ArrayList<>();
        root.path("trained_heads").forEach(head -> heads.add(head.asText()));
        return new Provenance(
                root.path("name").asText(),
                root.path("revision").asText(),
                Optional.ofNullable(root.get("resolved_commit")).map(JsonNode::asText),
                files,
                root.path("licence").asText(),
                root.path("licence_url").asText(),
                heads,
                root.path("pulled_at").asText(),
                root.path("conversion").asText());
    }
}
