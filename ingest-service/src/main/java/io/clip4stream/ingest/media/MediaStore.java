package io.clip4stream.ingest.media;

import io.clip4stream.schemas.avro.IngestRequest;
import io.clip4stream.schemas.serde.AvroSerde;
import io.clip4stream.schemas.serde.RecordDecodingException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The videos playback can serve, one per source id: uploads are kept here as {@code <id>.video} until their source is
 * deleted; a file under the ingest root is referenced by {@code <id>.ref} (its path; the file itself stays where it
 * is and is checked to lie under the root again on every read). Beside an upload or a reference lies
 * {@code <id>.request}, the request it was ingested with (Avro), so an upload whose run did not finish can be run again
 * after a restart, and a kept video can be decoded again for a model version of another visual encoder.
 */
public final class MediaStore {
    /** Legal source ids (the same as everywhere else), minus {@code .} and {@code ..}. */
    private static final Pattern ID = Pattern.compile("(?!\\.{1,2}$)[A-Za-z0-9._-]{1,128}");

    private static final String VIDEO = ".video";
    private static final String REFERENCE = ".ref";
    private static final String REQUEST = ".request";
    // The topic's encoding: fingerprinted, so a request kept under an older schema still reads after an upgrade.
    private static final AvroSerde<IngestRequest> REQUESTS = AvroSerde.of(IngestRequest.class);

    private final Path dir;
    private final Path root;

    /** A store in {@code dir}, serving referenced files only while they lie under {@code root}. */
    public MediaStore(Path dir, Path root) {
        this.dir = Objects.requireNonNull(dir, "dir");
        this.root = Objects.requireNonNull(root, "root");
    }

    /** Whether {@code sourceId} may name stored media (no separators, no {@code .} or {@code ..}). */
    public static boolean validId(String sourceId) {
        return sourceId != null && ID.matcher(sourceId).matches();
    }

    /** The directory the media live in. */
    public Path dir() {
        return dir;
    }

    /** Moves {@code staged} into the store as the video of {@code sourceId}, replacing any older one; returns its path. */
    public Path store(String sourceId, Path staged) throws IOException {
        Path target = dir.resolve(checked(sourceId) + VIDEO);
        Files.createDirectories(dir);
        try {
            Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            // Staging on another file system: copy next to the target first, so readers never see half a file.
            Path copy = dir.resolve(sourceId + "-" + UUID.randomUUID() + ".partial");
            try {
                Files.move(staged, copy, StandardCopyOption.REPLACE_EXISTING);
                Files.move(copy, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(copy);
            }
        }
        return target;
    }

    /**
     * Keeps {@code request} beside the upload of its source (written whole or not at all), so the upload can be run
     * again by a restarted instance.
     */
    public void keepRequest(IngestRequest request) throws IOException {
        String id = checked(request.getSourceId());
        Files.createDirectories(dir);
        Path partial = dir.resolve(id + "-" + UUID.randomUUID() + ".partial");
        try {
            Files.write(partial, REQUESTS.serializer().serialize(null, request));
            Files.move(
                    partial,
                    dir.resolve(id + REQUEST),
                    StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    /** The request the upload of {@code sourceId} was made with, if it was kept. */
    public Optional<IngestRequest> keptRequest(String sourceId) throws IOException {
        Path file = dir.resolve(checked(sourceId) + REQUEST);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        try {
            return Optional.of(REQUESTS.deserializer().deserialize(null, bytes));
        } catch (RecordDecodingException e) {
            throw new IOException("Cannot read the kept request " + file, e);
        }
    }

    /** The ids of the sources whose uploads are kept here, in name order. */
    public List<String> uploads() throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString())
                    .filter(name -> name.endsWith(VIDEO))
                    .map(name -> name.substring(0, name.length() - VIDEO.length()))
                    .filter(MediaStore::validId)
                    .sorted()
                    .toList();
        }
    }

    /** Whether the upload of {@code sourceId} is kept here (its video, not a reference to a file elsewhere). */
    public boolean keptUpload(String sourceId) {
        return Files.isRegularFile(dir.resolve(checked(sourceId) + VIDEO));
    }

    /**
     * Whether the video of {@code sourceId} can be decoded again from here: its upload, or the file under the root a
     * path source read, with the request it was ingested with (its sampling, so a second decode cuts the same clips).
     */
    public boolean keptMedia(String sourceId) throws IOException {
        return Files.isRegularFile(dir.resolve(checked(sourceId) + REQUEST))
                && find(sourceId).isPresent();
    }

    /** The ids of the sources whose video can be decoded again from here ({@link #keptMedia(String)}), in name order. */
    public List<String> keptMedia() throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<String> candidates;
        try (Stream<Path> files = Files.list(dir)) {
            candidates = files.map(f -> f.getFileName().toString())
                    .filter(name -> name.endsWith(VIDEO) || name.endsWith(REFERENCE))
                    .map(name -> name.substring(0, name.lastIndexOf('.')))
                    .filter(MediaStore::validId)
                    .distinct()
                    .sorted()
                    .toList();
        }
        List<String> kept = new java.util.ArrayList<>();
        for (String id : candidates) {
            if (keptMedia(id)) {
                kept.add(id);
            }
        }
        return List.copyOf(kept);
    }

    /** Records that {@code sourceId} plays {@code file}, a file under the root that is read where it lies. */
    public void refer(String sourceId, Path file) throws IOException {
        Path target = dir.resolve(checked(sourceId) + REFERENCE);
        Files.createDirectories(dir);
        Path partial = dir.resolve(sourceId + "-" + UUID.randomUUID() + ".partial");
        Files.writeString(partial, file.toAbsolutePath().toString(), StandardCharsets.UTF_8);
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The file to play for {@code sourceId}: its upload, else its referenced file while that still lies under the root. */
    public Optional<Path> find(String sourceId) throws IOException {
        Path upload = dir.resolve(checked(sourceId) + VIDEO);
        if (Files.isRegularFile(upload)) {
            return Optional.of(upload);
        }
        Path reference = dir.resolve(sourceId + REFERENCE);
        String named;
        try {
            named = Files.readString(reference, StandardCharsets.UTF_8).strip();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        try {
            // Links are resolved again: a file swapped for a link leading out of the root is no longer served.
            Path real = Path.of(named).toRealPath();
            return real.startsWith(root.toRealPath()) && Files.isRegularFile(real)
                    ? Optional.of(real)
                    : Optional.empty();
        } catch (NoSuchFileException | InvalidPathException e) {
            return Optional.empty();
        }
    }

    /** Removes the upload (with its kept request) and the reference of {@code sourceId}; returns whether there was either. */
    public boolean delete(String sourceId) throws IOException {
        String id = checked(sourceId);
        Files.deleteIfExists(dir.resolve(id + REQUEST));
        boolean video = Files.deleteIfExists(dir.resolve(id + VIDEO));
        boolean reference = Files.deleteIfExists(dir.resolve(id + REFERENCE));
        return video || reference;
    }

    private static String checked(String sourceId) {
        if (!validId(sourceId)) {
            throw new IllegalArgumentException("Not a source id: '" + sourceId + "'");
        }
        return sourceId;
    }
}
