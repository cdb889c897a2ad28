package io.clip4stream.app.train;

import io.clip4stream.ingest.decode.DecodeException;
import io.clip4stream.ingest.decode.VideoDecoder;
import io.clip4stream.ingest.decode.VideoInput;
import io.clip4stream.ingest.plan.FrameSampler;
import io.clip4stream.model.preprocess.FramePreprocessor;
import io.clip4stream.model.preprocess.RgbImage;
import io.clip4stream.model.sampling.FrameSelection;
import io.clip4stream.model.sampling.SlicePosition;
import io.clip4stream.model.spec.Preprocessing;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Reads a captioned clip's frames as the services see them: decoded by the ingest service's decoder, sampled by its
 * {@link FrameSampler} at the ingest rate, the frames inside the clip's time range thinned to T slots as CLIP4Clip's
 * {@code slice_framepos = 2} does, then resized and centre-cropped by the model's {@link FramePreprocessor}.
 *
 * <p>The S×S RGB bytes are cached per clip in a folder (keyed by the file's path, size and modification time, the range,
 * S, T and the rate), so later epochs and later runs decode nothing.
 */
public final class ClipFrameReader {

    /** CLIP4Clip's and the ingest service's default sampling rate. */
    public static final double DEFAULT_FPS = 1.0;

    private static final int CACHE_FORMAT = 1;

    private final Preprocessing preparation;
    private final FramePreprocessor preprocessor;
    private final FrameSelection selection;
    private final double fps;
    private final Path cacheDir;

    /** Creates a reader producing up to {@code maxFrames} frames of S×S pixels, caching in {@code cacheDir}. */
    public ClipFrameReader(int imageSize, int maxFrames, double fps, Path cacheDir) {
        this(Preprocessing.clip(imageSize), maxFrames, fps, cacheDir);
    }

    /** Creates a reader that prepares frames as {@code preparation} says (a model's recorded preprocessing). */
    public ClipFrameReader(Preprocessing preparation, int maxFrames, double fps, Path cacheDir) {
        this.preparation = preparation;
        this.preprocessor = new FramePreprocessor(preparation);
        this.selection = new FrameSelection(maxFrames, SlicePosition.UNIFORM);
        this.fps = fps;
        this.cacheDir = cacheDir;
    }

    /** Returns the image size S. */
    public int imageSize() {
        return preprocessor.size();
    }

    /** Returns the clip's kept frames (at most T, possibly none when the range holds no frame). */
    public List<RgbImage> frames(CaptionedClip clip) {
        Path cached = cacheDir.resolve(key(clip) + ".frames");
        if (Files.isRegularFile(cached)) {
            try {
                return readCache(cached);
            } catch (IOException e) {
                // A torn cache file (a crash while writing is ruled out by the atomic move, a disk error is not):
                // decode again.
            }
        }
        List<RgbImage> frames = decode(clip);
        try {
            writeCache(cached, frames);
        } catch (IOException e) {
            throw new TrainingDataException("cannot write the frame cache " + cached + ": " + e.getMessage(), e);
        }
        return frames;
    }

    private List<RgbImage> decode(CaptionedClip clip) {
        long startMicros = (long) Math.ceil(clip.startSeconds() * 1_000_000);
        long endMicros = Double.isInfinite(clip.endSeconds()) ? Long.MAX_VALUE : (long) (clip.endSeconds() * 1_000_000);
        List<RgbImage> inside = new ArrayList<>();
        // The consumer runs on the decoder's hand-off thread, the stop check on the decoding thread.
        AtomicBoolean past = new AtomicBoolean();
        try (VideoDecoder decoder =
                VideoDecoder.open(new VideoInput.FileInput(clip.video(), false), VideoDecoder.Options.exact())) {
            decoder.decode(
                    new FrameSampler(fps),
                    (micros, image) -> {
                        if (micros >= endMicros) {
                            past.set(true);
                        } else if (micros >= startMicros) {
                            inside.add(preprocessor.resizeAndCrop(image));
                        }
                    },
                    past::get);
        } catch (DecodeException e) {
            throw new TrainingDataException(
                    "cannot decode " + clip.video() + " (clip " + clip.id() + "): " + e.getMessage(), e);
        }
        List<RgbImage> kept = new ArrayList<>();
        for (int position : selection.keptPositions(inside.size())) {
            kept.add(inside.get(position));
        }
        return kept;
    }

    private String key(CaptionedClip clip) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            String text = String.format(
                    Locale.ROOT,
                    "%d|%s|%d|%d|%.6f|%.6f|%d|%d|%.6f",
                    CACHE_FORMAT,
                    clip.video().toAbsolutePath().normalize(),
                    Files.size(clip.video()),
                    Files.getLastModifiedTime(clip.video()).toMillis(),
                    clip.startSeconds(),
                    Double.isInfinite(clip.endSeconds()) ? -1.0 : clip.endSeconds(),
                    preprocessor.size(),
                    selection.maxFrames(),
                    fps);
            if (!preparation.isClipDefault(preprocessor.size())) {
                // Only other preparations extend the key, so the caches of CLIP-prepared frames stay valid.
                text += "|" + preparation.describe();
            }
            return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)), 0, 16);
        } catch (IOException e) {
            throw new TrainingDataException("cannot read " + clip.video() + " (clip " + clip.id() + "): " + e, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private List<RgbImage> readCache(Path file) throws IOException {
        try (InputStream raw = Files.newInputStream(file);
                DataInputStream in = new DataInputStream(raw)) {
            int count = in.readInt();
            int size = in.readInt();
            List<RgbImage> frames = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                byte[] rgb = new byte[size * size * 3];
                in.readFully(rgb);
                frames.add(new RgbImage(size, size, rgb));
            }
            return frames;
        }
    }

    private void writeCache(Path file, List<RgbImage> frames) throws IOException {
        Files.createDirectories(file.getParent());
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        try (OutputStream raw = Files.newOutputStream(partial);
                DataOutputStream out = new DataOutputStream(raw)) {
            out.writeInt(frames.size());
            out.writeInt(preprocessor.size());
            for (RgbImage frame : frames) {
                out.write(frame.rgb());
            }
        }
        Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
