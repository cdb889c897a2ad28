package io.clip4stream.ingest.decode;

import io.clip4stream.ingest.plan.FrameSampler;
import io.clip4stream.model.preprocess.Orientation;
import io.clip4stream.model.preprocess.RgbImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;

/**
 * One opened video on FFmpeg (through JavaCV's {@link FFmpegFrameGrabber}): decodes every frame in order and hands
 * the sampled ones over as full-resolution RGB, converting only those frames to RGB.
 *
 * <p>Failures become {@link DecodeException}s with a reason a user can act on (empty file, not a video, unsupported
 * codec, MP4 index at the end of a stream that cannot seek, unreachable host); a file that ends before its declared
 * length is reported in {@link DecodeSummary#truncation()}, never as a clean end. Not thread-safe.
 */
public final class VideoDecoder implements AutoCloseable {
    private static final int AVERROR_INVALIDDATA = -1094995529;
    /** Demuxers that turn text into pictures; their output is no video a user meant to index. */
    private static final java.util.Set<String> TEXT_FORMATS = java.util.Set.of("tty", "txt");

    static {
        // FFmpeg logs through slf4j, errors only, with the source id of the decoding thread.
        FfmpegLog.install();
    }

    /** Kernel receive buffer of a UDP stream read without FFmpeg's fifo: about 3 s of a 10 Mbit/s stream. */
    private static final int UDP_SOCKET_BUFFER_BYTES = 4 << 20;

    private final FFmpegFrameGrabber grabber;
    private final VideoInput input;
    private final Orientation orientation;

    /**
     * How to decode.
     *
     * @param skipNonReference let FFmpeg drop non-reference frames (faster when sampling sparsely; the kept frames
     *     may move by a frame)
     * @param readTimeout how long a read may block before the input counts as ended (live streams, growing files)
     * @param lowDelay decode each frame as soon as it arrives (slice threads only): FFmpeg's default frame threads
     *     hold back one frame per thread, seconds on a 1 fps live stream
     */
    public record Options(boolean skipNonReference, Duration readTimeout, boolean lowDelay) {
        /** Validates the options. */
        public Options {
            Objects.requireNonNull(readTimeout, "readTimeout");
        }

        /** Options with FFmpeg's default (frame) threading. */
        public Options(boolean skipNonReference, Duration readTimeout) {
            this(skipNonReference, readTimeout, false);
        }

        /** These options, decoding with low delay or not. */
        public Options withLowDelay(boolean value) {
            return new Options(skipNonReference, readTimeout, value);
        }

        /** Exact decoding with a 10 s read timeout. */
        public static Options exact() {
            return new Options(false, Duration.ofSeconds(10));
        }
    }

    /** Receives the sampled frames and progress of a decoding pass. */
    public interface FrameConsumer {
        /** A sampled frame at {@code relativeMicros} (relative to the first decoded frame); the image is a copy. */
        void accept(long relativeMicros, RgbImage image);

        /** Called after every decoded frame; cheap by default. */
        default void decoded(long decodedFrames, long relativeMicros) {}
    }

    private VideoDecoder(FFmpegFrameGrabber grabber, VideoInput input) {
        this.grabber = grabber;
        this.input = input;
        this.orientation = Orientation.ofDisplayMatrix(displayMatrix(grabber));
    }

    /** Opens {@code input} and reads its headers; throws with a readable reason when it is not a decodable video. */
    public static VideoDecoder open(VideoInput input, Options options) throws DecodeException {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(options, "options");
        FFmpegFrameGrabber grabber = switch (input) {
            case VideoInput.FileInput file -> {
                checkFile(file);
                FFmpegFrameGrabber g = new FFmpegFrameGrabber(file.path().toFile());
                // A local file may only read itself: no playlist or concat entries that reach other files or hosts.
                g.setOption("protocol_whitelist", "file");
                if (file.follow()) {
                    g.setOption("follow", "1");
                }
                yield g;
            }
            case VideoInput.UrlInput url -> {
                FFmpegFrameGrabber g = new FFmpegFrameGrabber(url.url());
                if (url.url().regionMatches(true, 0, "udp://", 0, 6)) {
                    // FFmpeg's UDP reader thread (its circular buffer) never times a read out: once the sender goes
                    // silent, av_read_frame blocks forever, past rw_timeout and past any stop or delete. Reading the
                    // socket directly honours the protocol's timeout; a large socket buffer stands in for the fifo.
                    g.setOption("fifo_size", "0");
                    g.setOption("buffer_size", Integer.toString(UDP_SOCKET_BUFFER_BYTES));
                    g.setOption("timeout", Long.toString(options.readTimeout().toNanos() / 1000));
                }
                url.options().forEach(g::setOption); // the source's own options win
                yield g;
            }
            // maximumSize 0: never mark/reset, so nothing is buffered in the heap; the input cannot seek.
            case VideoInput.StreamInput stream -> new FFmpegFrameGrabber(stream.stream(), 0);
        };
        grabber.setPixelFormat(avutil.AV_PIX_FMT_RGB24);
        grabber.setOption("rw_timeout", Long.toString(options.readTimeout().toNanos() / 1000));
        if (options.skipNonReference()) {
            grabber.setVideoOption("skip_frame", "noref");
        }
        if (options.lowDelay()) {
            grabber.setVideoOption("thread_type", "slice");
        }
        try {
            // Not start(): JavaCV wraps it in a JVM-wide lock (on avcodec.class) that it also takes for every other
            // grabber's start and release and every recorder's start. A live source waiting for its first bytes
            // holds that lock for up to the read timeout, so one silent camera would stall every other source's
            // open, an upload's included. FFmpeg 7 serialises the codec inits that need it by itself.
            grabber.startUnsafe();
        } catch (FFmpegFrameGrabber.Exception | RuntimeException e) {
            releaseQuietly(grabber, e);
            throw new DecodeException(openFailure(input, e), e);
        }
        VideoDecoder decoder = new VideoDecoder(grabber, input);
        if (TEXT_FORMATS.contains(String.valueOf(grabber.getFormat())) || "ansi".equals(grabber.getVideoCodecName())) {
            decoder.close();
            throw new DecodeException(input.describe() + " is a text file, not a video (FFmpeg would render the text)");
        }
        if (!grabber.hasVideo() || grabber.getImageWidth() <= 0 || grabber.getImageHeight() <= 0) {
            String format = grabber.getFormat();
            decoder.close();
            if (input instanceof VideoInput.StreamInput && isMp4(format)) {
                throw new DecodeException(moovAtEnd(input));
            }
            throw new DecodeException(input.describe() + " has no video stream (format " + format + ")");
        }
        return decoder;
    }

    /** Length the container declares, in microseconds; 0 when unknown. */
    public long declaredDurationMicros() {
        return Math.max(0, grabber.getLengthInTime());
    }

    /** The stream's nominal frame rate; 0 when unknown. */
    public double frameRate() {
        double rate = grabber.getVideoFrameRate();
        return Double.isFinite(rate) && rate > 0 && rate < 1000 ? rate : 0;
    }

    /** Width of the frames as shown (after the stream's display matrix). */
    public int width() {
        return orientation.shownWidth(grabber.getImageWidth(), grabber.getImageHeight());
    }

    /** Height of the frames as shown (after the stream's display matrix). */
    public int height() {
        return orientation.shownHeight(grabber.getImageWidth(), grabber.getImageHeight());
    }

    /** How decoded pictures are turned before they are handed on (the stream's display matrix). */
    public Orientation orientation() {
        return orientation;
    }

    /** FFmpeg's container format name, e.g. {@code mov,mp4,m4a,3gp,3g2,mj2}. */
    public String format() {
        return grabber.getFormat();
    }

    /** FFmpeg's video codec name, e.g. {@code h264}. */
    public String codec() {
        return grabber.getVideoCodecName();
    }

    /**
     * Decodes to the end (or until {@code stopRequested}) and hands every frame {@code sampler} keeps to
     * {@code consumer}; throws when not a single frame could be decoded.
     *
     * <p>The consumer runs on a second thread, fed through a queue of two frames, so preprocessing a sampled frame
     * overlaps with decoding the next ones; {@link FrameConsumer#decoded} is called on the decoding thread. An
     * exception thrown by the consumer stops decoding and is rethrown here.
     */
    public DecodeSummary decode(FrameSampler sampler, FrameConsumer consumer, BooleanSupplier stopRequested)
            throws DecodeException {
        Handoff handoff = new Handoff(consumer);
        DecodeSummary summary;
        try {
            summary = decodeInto(sampler, handoff, consumer, () -> stopRequested.getAsBoolean() || handoff.failed());
        } finally {
            handoff.finish();
        }
        return summary;
    }

    private DecodeSummary decodeInto(
            FrameSampler sampler, Handoff handoff, FrameConsumer progress, BooleanSupplier stopRequested)
            throws DecodeException {
        double rate = frameRate();
        long frameMicros = rate > 0 ? Math.round(1_000_000.0 / rate) : 0;
        long first = Long.MIN_VALUE;
        long last = -1;
        long decoded = 0;
        long sampled = 0;
        boolean forceNext = true;
        boolean stopped = false;
        String truncation = null;
        while (true) {
            if (stopRequested.getAsBoolean()) {
                stopped = true;
                break;
            }
            boolean convert = forceNext || sampler.mayAccept(last + frameMicros, frameMicros);
            Frame frame;
            try {
                frame = grabber.grabFrame(false, true, convert, false, false);
            } catch (FFmpegFrameGrabber.Exception | RuntimeException e) {
                if (decoded == 0) {
                    throw new DecodeException(input.describe() + " cannot be decoded: " + e.getMessage(), e);
                }
                truncation = String.format(Locale.ROOT, "decoding failed at %.1f s: %s", last / 1e6, e.getMessage());
                break;
            }
            if (frame == null) {
                break;
            }
            if (frame.image == null) {
                continue;
            }
            if (first == Long.MIN_VALUE) {
                first = frame.timestamp;
            }
            // Timestamps may jitter backwards (B-frames, stream glitches); keep presentation time monotonic.
            long relative = Math.max(frame.timestamp - first, Math.max(last, 0));
            last = relative;
            decoded++;
            if (convert) {
                forceNext = false;
                if (sampler.accept(relative)) {
                    handoff.put(relative, toRgb(frame));
                    sampled++;
                }
            } else if (sampler.due(relative)) {
                forceNext = true; // the frame rate lied (variable rate): take the next frame for this target
            }
            progress.decoded(decoded, relative);
        }
        if (decoded == 0 && !stopped) {
            if (input instanceof VideoInput.StreamInput && isMp4(format())) {
                throw new DecodeException(moovAtEnd(input));
            }
            throw new DecodeException(input.describe() + " contains no decodable video frame");
        }
        long declared = declaredDurationMicros();
        if (truncation == null && !stopped && declared > 0 && decoded > 0) {
            long seen = last + frameMicros;
            long tolerance = Math.max(500_000, 2 * frameMicros);
            if (seen + tolerance < declared) {
                truncation = String.format(
                        Locale.ROOT,
                        "the input ended at %.1f s of its declared %.1f s (truncated file)",
                        seen / 1e6,
                        declared / 1e6);
            }
        }
        return new DecodeSummary(decoded, sampled, last, declared, frameMicros, stopped, truncation);
    }

    /** Carries sampled frames to the consumer's thread; at most two wait, so memory stays bounded. */
    private static final class Handoff {
        private static final Object END = new Object();
        private final java.util.concurrent.BlockingQueue<Object> queue =
                new java.util.concurrent.ArrayBlockingQueue<>(2);
        private final java.util.concurrent.atomic.AtomicReference<RuntimeException> failure =
                new java.util.concurrent.atomic.AtomicReference<>();
        private final Thread worker;

        private record Sample(long micros, RgbImage image) {}

        Handoff(FrameConsumer consumer) {
            worker = new Thread(
                    () -> {
                        try {
                            // Runs until END; after a failure the remaining frames are taken and dropped, so the
                            // decoder never blocks on a full queue.
                            for (Object item = queue.take(); item != END; item = queue.take()) {
                                if (failure.get() == null) {
                                    Sample sample = (Sample) item;
                                    try {
                                        consumer.accept(sample.micros(), sample.image());
                                    } catch (RuntimeException e) {
                                        failure.compareAndSet(null, e);
                                    }
                                }
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            failure.compareAndSet(null, new IllegalStateException("frame consumer interrupted", e));
                        }
                    },
                    Thread.currentThread().getName() + "-frames");
            worker.setDaemon(true);
            worker.start();
        }

        boolean failed() {
            return failure.get() != null;
        }

        void put(long micros, RgbImage image) {
            try {
                queue.put(new Sample(micros, image));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while handing a frame over", e);
            }
        }

        /** Waits until every handed-over frame is consumed; rethrows the consumer's exception. */
        void finish() {
            try {
                queue.put(END);
                worker.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the frame consumer", e);
            }
            RuntimeException e = failure.get();
            if (e != null) {
                throw e;
            }
        }
    }

    @Override
    public void close() {
        releaseQuietly(grabber, null);
    }

    /** The stream's display matrix (nine int32 in the machine's byte order), or null when it has none. */
    private static int[] displayMatrix(FFmpegFrameGrabber grabber) {
        if (!(grabber.getVideoSideData("Display Matrix") instanceof ByteBuffer side) || side.capacity() < 36) {
            return null;
        }
        ByteBuffer bytes = side.duplicate().order(java.nio.ByteOrder.nativeOrder());
        int[] matrix = new int[9];
        for (int i = 0; i < 9; i++) {
            matrix[i] = bytes.getInt(4 * i);
        }
        return matrix;
    }

    /** The frame's picture as shown: turned (and flipped) by the stream's display matrix, as players turn it. */
    private RgbImage toRgb(Frame frame) {
        int width = frame.imageWidth;
        int height = frame.imageHeight;
        ByteBuffer buffer = (ByteBuffer) frame.image[0];
        int stride = frame.imageStride;
        byte[] rgb = new byte[width * height * 3];
        int row = width * 3;
        for (int y = 0; y < height; y++) {
            buffer.get(y * stride, rgb, y * row, row);
        }
        return new RgbImage(
                orientation.shownWidth(width, height),
                orientation.shownHeight(width, height),
                orientation.apply(rgb, width, height));
    }

    private static void checkFile(VideoInput.FileInput file) throws DecodeException {
        try {
            if (!file.follow() && Files.size(file.path()) == 0) {
                throw new DecodeException(file.describe() + " is empty (0 bytes)");
            }
            if (Files.isDirectory(file.path())) {
                throw new DecodeException(file.describe() + " is a directory, not a video file");
            }
        } catch (NoSuchFileException e) {
            throw new DecodeException(file.describe() + " does not exist", e);
        } catch (IOException e) {
            throw new DecodeException(file.describe() + " cannot be read: " + e.getMessage(), e);
        }
    }

    private static boolean isMp4(String format) {
        return format != null && (format.contains("mp4") || format.contains("mov"));
    }

    private static String moovAtEnd(VideoInput input) {
        return input.describe() + " is an MP4 whose index (moov atom) is at the end of the file, and this input cannot"
                + " seek; upload the file instead, or re-mux it with 'ffmpeg -i in.mp4 -c copy -movflags +faststart"
                + " out.mp4'";
    }

    /** Turns FFmpeg's open error into a reason a user can act on. */
    static String openFailure(VideoInput input, Exception e) {
        String message = String.valueOf(e.getMessage());
        String what = input.describe();
        if (message.contains("error " + AVERROR_INVALIDDATA)) {
            if (input instanceof VideoInput.StreamInput) {
                return what + " is not a video FFmpeg can read (unknown container, corrupt data, or an MP4 whose index"
                        + " is at the end of a stream that cannot seek)";
            }
            return what + " is not a video FFmpeg can read (unknown container, or corrupt or truncated data)";
        }
        if (message.contains("avcodec_find_decoder") || message.contains("codec not found")) {
            return what + " uses a video codec this build cannot decode (" + message + ")";
        }
        if (message.contains("Did not find a video or audio stream")) {
            return what + " has no video stream";
        }
        if (message.contains("error -2:") || message.contains("error -2 ")) {
            return what + " does not exist";
        }
        if (message.contains("error -111")) {
            return what + " refused the connection (nothing listens there?)";
        }
        if (message.contains("error -110") || message.contains("error -138")) {
            return what + " did not answer in time";
        }
        if (message.contains("error -5:") || message.contains("error -5 ")) {
            return what + " could not be read (I/O error)";
        }
        return what + " cannot be opened: " + message;
    }

    private static void releaseQuietly(FFmpegFrameGrabber grabber, Exception primary) {
        try {
            grabber.releaseUnsafe(); // without JavaCV's JVM-wide lock, as in open
        } catch (FFmpegFrameGrabber.Exception e) {
            if (primary != null) {
                primary.addSuppressed(e);
            } else {
                throw new UncheckedIOException(new IOException("Cannot release the FFmpeg decoder", e));
            }
        }
    }
}
