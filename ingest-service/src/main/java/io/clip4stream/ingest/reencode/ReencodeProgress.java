package io.clip4stream.ingest.reencode;

import io.clip4stream.ingest.media.MediaStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * What the re-encoding for one model version has done, kept in {@code <mediaDir>/.reencode/<escaped version>} ({@link #escaped}) so that a
 * restarted instance resumes where it stopped and never starts a finished version again: one line per source
 * re-encoded ({@code <id>}), one per source given a STOPPED marker ({@code !<id>}), and {@code #complete} once the job
 * has finished for good (after its version became active). Lines are appended and forced to disk before the caller
 * moves on, so a crash loses at most the source in flight, which is then simply sent again (the index overwrites).
 */
public final class ReencodeProgress {
    /** The directory under the media directory the progress files live in. */
    public static final String DIRECTORY = ".reencode";

    /** Longest escaped version used as a file name as it is; a longer one is named by its SHA-256. */
    private static final int MAX_FILE_NAME = 200;

    private static final HexFormat UPPER_HEX = HexFormat.of().withUpperCase();

    private static final String MARKED = "!";
    private static final String COMPLETE = "#complete";

    private final Path file;
    private final Set<String> reencoded;
    private final Set<String> marked;
    private boolean complete;

    private ReencodeProgress(Path file, Set<String> reencoded, Set<String> marked, boolean complete) {
        this.file = file;
        this.reencoded = reencoded;
        this.marked = marked;
        this.complete = complete;
    }

    /** Whether {@code version} can have a progress file: any non-empty version can ({@link #escaped}). */
    public static boolean validVersion(String version) {
        return version != null && !version.isEmpty();
    }

    /**
     * {@code version} as a file name and id part that no other version maps to: letters, digits, {@code _} and
     * {@code -} stay, every other UTF-8 byte becomes {@code %XX}, so the result holds no separator, no dot (never
     * {@code .} or {@code ..}) and, as {@code %} is always escaped, is injective. Trained versions carry {@code +}
     * ({@code base+seqTransf-...}), so the name cannot simply be the version. An escaped name over 200 characters is
     * {@code %sha256-} and the hex digest ({@code %s} is no escape, so it cannot meet an escaped name).
     *
     * @throws IllegalArgumentException for a null or empty version
     */
    public static String escaped(String version) {
        if (!validVersion(version)) {
            throw new IllegalArgumentException("Model version '" + version + "' is empty; it is not re-encoded");
        }
        StringBuilder name = new StringBuilder();
        for (byte b : version.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
                name.append(c);
            } else {
                name.append('%').append(UPPER_HEX.toHexDigits(b));
            }
        }
        if (name.length() <= MAX_FILE_NAME) {
            return name.toString();
        }
        try {
            return "%sha256-"
                    + HexFormat.of()
                            .formatHex(MessageDigest.getInstance("SHA-256")
                                    .digest(version.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** The progress file of {@code version} under {@code mediaDir} (named by {@link #escaped}). */
    public static Path file(Path mediaDir, String version) {
        return mediaDir.resolve(DIRECTORY).resolve(escaped(version));
    }

    /** Whether the job for {@code version} has started (its progress file exists). */
    public static boolean started(Path mediaDir, String version) {
        return Files.exists(file(mediaDir, version));
    }

    /** Reads the progress of {@code version}, creating an empty file (the job has started) when there is none. */
    public static ReencodeProgress open(Path mediaDir, String version) throws IOException {
        Path file = file(mediaDir, version);
        Set<String> reencoded = new LinkedHashSet<>();
        Set<String> marked = new LinkedHashSet<>();
        boolean complete = false;
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            // Only whole lines count: a line without its newline is the torn tail of a crash, and a torn id could
            // name another source; that source is simply done again.
            String whole = text.substring(0, text.lastIndexOf('\n') + 1);
            if (whole.length() < text.length()) {
                // Cut the torn tail off, or the next line appended would run on from it.
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    channel.truncate(whole.getBytes(StandardCharsets.UTF_8).length);
                    channel.force(true);
                }
            }
            for (String line : whole.split("\n")) {
                String entry = line.strip();
                if (entry.equals(COMPLETE)) {
                    complete = true;
                } else if (entry.startsWith(MARKED) && MediaStore.validId(entry.substring(1))) {
                    marked.add(entry.substring(1));
                } else if (MediaStore.validId(entry)) {
                    reencoded.add(entry);
                }
            }
        } catch (NoSuchFileException e) {
            Files.createDirectories(file.getParent());
            Files.createFile(file);
        }
        return new ReencodeProgress(file, reencoded, marked, complete);
    }

    /** The sources whose kept video was re-encoded, in the order they were. */
    public synchronized Set<String> reencoded() {
        return Set.copyOf(reencoded);
    }

    /** The sources given a STOPPED marker. */
    public synchronized Set<String> marked() {
        return Set.copyOf(marked);
    }

    /** Whether the job finished for good. */
    public synchronized boolean complete() {
        return complete;
    }

    /** Records that {@code sourceId}'s kept video was re-encoded (its end marker committed). */
    public synchronized void recordReencoded(String sourceId) throws IOException {
        if (reencoded.add(checked(sourceId))) {
            append(sourceId);
        }
    }

    /** Records that {@code sourceId} got its STOPPED marker (committed). */
    public synchronized void recordMarked(String sourceId) throws IOException {
        if (marked.add(checked(sourceId))) {
            append(MARKED + sourceId);
        }
    }

    /** Records that the job finished for good: a restart does not start it again. */
    public synchronized void recordComplete() throws IOException {
        if (!complete) {
            complete = true;
            append(COMPLETE);
        }
    }

    /** The progress file. */
    public Path path() {
        return file;
    }

    private void append(String line) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            ByteBuffer bytes = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            channel.force(true);
        }
    }

    private static String checked(String sourceId) {
        if (!MediaStore.validId(Objects.requireNonNull(sourceId, "sourceId"))) {
            throw new IllegalArgumentException("Not a source id: '" + sourceId + "'");
        }
        return sourceId;
    }
}
