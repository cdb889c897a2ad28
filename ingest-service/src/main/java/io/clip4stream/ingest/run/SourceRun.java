package io.clip4stream.ingest.run;

import io.clip4stream.ingest.decode.DecodeException;
import io.clip4stream.ingest.decode.DecodeSummary;
import io.clip4stream.ingest.decode.VideoDecoder;
import io.clip4stream.ingest.plan.ClipCutter;
import io.clip4stream.ingest.plan.ClipWindow;
import io.clip4stream.ingest.plan.FrameSampler;
import io.clip4stream.ingest.source.ResolvedSource;
import io.clip4stream.ingest.source.SourceRejectedException;
import io.clip4stream.model.preprocess.FramePreprocessor;
import io.clip4stream.model.preprocess.RgbImage;
import io.clip4stream.schemas.avro.ClipBoundary;
import io.clip4stream.schemas.avro.EndOfSource;
import io.clip4stream.schemas.avro.EndReason;
import io.clip4stream.schemas.avro.IngestRequest;
import io.clip4stream.schemas.avro.IngestState;
import io.clip4stream.schemas.avro.IngestStatus;
import io.clip4stream.schemas.avro.SampledFrame;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one source to its end: decodes, samples on presentation time, preprocesses with the model's
 * {@link FramePreprocessor}, cuts clips and hands frames, boundaries, the end marker and status to a
 * {@link FrameSink}, committing once per clip.
 *
 * <p>Resumes from the sink's {@link Checkpoint}: a file is decoded again and everything already committed is skipped
 * (decoding is deterministic, so the same frames and clip ids come out); a live stream continues with the next clip
 * after the last committed one, its presentation time continuing from that clip's end. Memory per run is constant:
 * one decoded frame at a time plus one thumbnail per frame of the open clip windows.
 */
public final class SourceRun {
    private static final Logger LOG = LoggerFactory.getLogger(SourceRun.class);

    /** How a run ended. */
    public enum Outcome {
        /** The source ended cleanly and every clip is committed. */
        COMPLETED,
        /** The source ended before its declared length; what was decoded is committed. */
        TRUNCATED,
        /** The source could not be read; a FAILED status says why. */
        FAILED,
        /** Stopped on request (shutdown, partition moved); nothing uncommitted was written. */
        STOPPED,
        /** Stopped because the source was deleted; an end marker and a DELETED status were written. */
        DELETED,
        /** A file source that a previous run already completed. */
        ALREADY_DONE,
        /** Another instance took the source over. */
        FENCED,
        /**
         * The sink failed for a reason outside the source (Kafka unavailable, a transaction aborted); nothing after the
         * last commit was kept and no FAILED status was written, so running the source again resumes where it stopped.
         */
        INTERRUPTED
    }

    /**
     * The result of a run.
     *
     * @param outcome how it ended
     * @param reason why it failed or was truncated; null otherwise
     * @param frames sampled frames of the source (including frames of earlier runs)
     * @param clips clips of the source
     */
    public record Result(Outcome outcome, String reason, long frames, long clips) {}

    private final IngestRequest request;
    private final ResolvedSource source;
    private final FrameSink sink;
    private final RunSettings settings;
    private final RunListener listener;
    private final FramePreprocessor preprocessor;
    private final Thumbnails thumbnails;
    private final String resumeNote;
    private final CountDownLatch stopSignal = new CountDownLatch(1);
    private volatile boolean stopRequested;
    private volatile boolean deleteRequested;

    // Committed position: what downstream has seen; a live reconnect falls back to it.
    private long committedFrames;
    private long committedClips;
    private long committedEndMicros;
    private IngestState lastState;
    private String lastReason;

    /** A run of {@code request}, read through {@code source}, written to {@code sink}. */
    public SourceRun(
            IngestRequest request, ResolvedSource source, FrameSink sink, RunSettings settings, RunListener listener) {
        this(request, source, sink, settings, listener, null);
    }

    /**
     * A run that says {@code resumeNote} (why an earlier run of the source stopped; null for none) in the reason of the
     * DECODING status it starts with.
     */
    public SourceRun(
            IngestRequest request,
            ResolvedSource source,
            FrameSink sink,
            RunSettings settings,
            RunListener listener,
            String resumeNote) {
        this.resumeNote = resumeNote;
        this.request = Objects.requireNonNull(request, "request");
        this.source = Objects.requireNonNull(source, "source");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.preprocessor = new FramePreprocessor(settings.framePreparation());
        this.thumbnails = new Thumbnails(settings.thumbnailSize());
    }

    /** The source id. */
    public String sourceId() {
        return request.getSourceId();
    }

    /** Asks the run to stop at the next frame; with {@code delete} it also ends the source for good. */
    public void stop(boolean delete) {
        deleteRequested |= delete;
        stopRequested = true;
        stopSignal.countDown();
    }

    /**
     * Runs to the end (or until stopped); never throws for bad input, which becomes a FAILED status, nor for a failing
     * sink, which ends the run {@link Outcome#INTERRUPTED} with nothing written about it.
     */
    public Result run() {
        listener.active(1);
        // Every log line of this run, FFmpeg's included, names the source.
        org.slf4j.MDC.put("sourceId", sourceId());
        try {
            Checkpoint checkpoint = sink.claim();
            if (!source.live() && checkpoint.state() == IngestState.DONE) {
                LOG.info("Source {} was already ingested completely; nothing to do", sourceId());
                return new Result(Outcome.ALREADY_DONE, null, checkpoint.frames(), checkpoint.clips());
            }
            committedFrames = checkpoint.frames();
            committedClips = checkpoint.clips();
            committedEndMicros = checkpoint.lastClipEndMicros();
            commitStatus(IngestState.DECODING, source.live() ? null : 0f, null, resumeNote);
            return source.live() ? runLive() : runFile(checkpoint);
        } catch (SourceFencedException e) {
            LOG.info("{}; this instance stops it", e.getMessage());
            return new Result(Outcome.FENCED, null, committedFrames, committedClips);
        } catch (SinkFailedException e) {
            // Not the source's fault: a FAILED status would give up a source that a later run can finish.
            LOG.warn(
                    "Run of {} interrupted; a later run resumes after its last commit: {}", sourceId(), e.getMessage());
            return new Result(Outcome.INTERRUPTED, e.getMessage(), committedFrames, committedClips);
        } finally {
            listener.active(-1);
            org.slf4j.MDC.remove("sourceId");
        }
    }

    private Result runFile(Checkpoint checkpoint) {
        Pass pass = new Pass(new ClipCutter(window(), stride()), 0, checkpoint.frames(), checkpoint.clips());
        try {
            DecodeSummary summary = pass.decode();
            if (summary.stopped()) {
                return stopped(pass);
            }
            for (ClipWindow clip : pass.cutter.finish(pass.sampler.intervalMicros())) {
                pass.emitClip(clip, 100f);
            }
            String truncation = summary.truncation();
            EndOfSource end = EndOfSource.newBuilder()
                    .setSourceId(sourceId())
                    .setReason(truncation == null ? EndReason.COMPLETED : EndReason.TRUNCATED)
                    .setTotalFrames(pass.cutter.nextFrameIndex())
                    .setTotalClips(pass.cutter.nextFrameIndex() == 0 ? 0 : committedClips)
                    .setDurationMicros(summary.durationMicros())
                    .setDetail(truncation)
                    .build();
            sink.end(end);
            if (truncation == null) {
                commitStatus(IngestState.DONE, 100f, pass.rate(), null);
                return new Result(Outcome.COMPLETED, null, committedFrames, committedClips);
            }
            // Its clips are indexed and searchable: the source is done, with a warning saying how much of it.
            commitStatus(
                    IngestState.DONE,
                    pass.progress(),
                    pass.rate(),
                    "Truncated: " + truncation + "; indexed " + clock(0) + "-" + clock(committedEndMicros));
            return new Result(Outcome.TRUNCATED, truncation, committedFrames, committedClips);
        } catch (DecodeException | IOException | SourceRejectedException | RuntimeException e) {
            if (e instanceof SourceFencedException || e instanceof SinkFailedException) {
                throw (RuntimeException) e;
            }
            String reason = reason(e);
            LOG.warn("Source {} failed: {}", sourceId(), reason, e);
            listener.failed();
            sink.abort();
            sink.end(EndOfSource.newBuilder()
                    .setSourceId(sourceId())
                    .setReason(EndReason.FAILED)
                    .setTotalFrames(committedFrames)
                    .setTotalClips(committedClips)
                    .setDurationMicros(committedEndMicros)
                    .setDetail(reason)
                    .build());
            commitStatus(IngestState.FAILED, null, null, reason);
            return new Result(Outcome.FAILED, reason, committedFrames, committedClips);
        }
    }

    private Result runLive() {
        while (!stopRequested) {
            // Every connection starts after the last committed clip, so a reconnect never leaves a clip half-sent.
            Pass pass = new Pass(
                    new ClipCutter(window(), stride(), committedFrames, committedClips), committedEndMicros, 0, 0);
            try {
                pass.decode();
                if (!stopRequested) {
                    LOG.info("Live source {} ended; reconnecting in {}", sourceId(), settings.liveRetry());
                }
            } catch (DecodeException | IOException | SourceRejectedException | RuntimeException e) {
                if (e instanceof SourceFencedException fenced) {
                    throw fenced;
                }
                String reason = reason(e);
                LOG.warn("Live source {} failed: {}; retrying in {}", sourceId(), reason, settings.liveRetry());
                listener.failed();
                sink.abort();
                if (lastState != IngestState.FAILED || !reason.equals(lastReason)) {
                    commitStatus(IngestState.FAILED, null, null, reason + " (retrying)");
                }
                lastReason = reason;
            }
            sink.abort();
            awaitRetry();
        }
        return stopped(null);
    }

    private Result stopped(Pass pass) {
        sink.abort();
        if (!deleteRequested) {
            return new Result(Outcome.STOPPED, null, committedFrames, committedClips);
        }
        sink.end(EndOfSource.newBuilder()
                .setSourceId(sourceId())
                .setReason(EndReason.STOPPED)
                .setTotalFrames(committedFrames)
                .setTotalClips(committedClips)
                .setDurationMicros(committedEndMicros)
                .setDetail("deleted")
                .build());
        commitStatus(IngestState.DELETED, null, pass == null ? null : pass.rate(), null);
        return new Result(Outcome.DELETED, null, committedFrames, committedClips);
    }

    private void awaitRetry() {
        try {
            stopSignal.await(settings.liveRetry().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop(false);
        }
    }

    private void commitStatus(IngestState state, Float progress, Double rate, String reason) {
        sink.commit(IngestStatus.newBuilder()
                .setSourceId(sourceId())
                .setState(state)
                .setKind(request.getKind())
                .setProgressPercent(progress)
                .setFramesPerSecond(rate)
                .setFramesSampled(committedFrames)
                .setClipsEmitted(committedClips)
                .setReason(reason)
                .setLastClipEndMicros(committedEndMicros)
                .setUpdatedAtMillis(System.currentTimeMillis())
                .build());
        lastState = state;
    }

    private int window() {
        return request.getClipWindowFrames();
    }

    private int stride() {
        return request.getClipStrideFrames();
    }

    private static String reason(Exception e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return e instanceof DecodeException || e instanceof SourceRejectedException
                ? message
                : "cannot read the source: " + message;
    }

    /** One decoding pass over one connection or file. */
    private final class Pass implements VideoDecoder.FrameConsumer {
        final ClipCutter cutter;
        final FrameSampler sampler = new FrameSampler(request.getSamplingFps());
        private final long timeOffsetMicros;
        private final long skipFramesBelow;
        private final long skipClipsBelow;
        private final byte[][] thumbnailRing = new byte[window()][];
        private long declaredMicros;
        private volatile long startNanos;
        private volatile long decodedFrames;
        private volatile long reportedDecoded;
        private volatile long lastRelative;
        private int uncommittedFrames;

        Pass(ClipCutter cutter, long timeOffsetMicros, long skipFramesBelow, long skipClipsBelow) {
            this.cutter = cutter;
            this.timeOffsetMicros = timeOffsetMicros;
            this.skipFramesBelow = skipFramesBelow;
            this.skipClipsBelow = skipClipsBelow;
        }

        DecodeSummary decode() throws DecodeException, IOException, SourceRejectedException {
            // A live frame should leave the decoder as it arrives, not threads-many frames later.
            try (VideoDecoder decoder =
                    VideoDecoder.open(source.open(), settings.decoder().withLowDelay(source.live()))) {
                declaredMicros = source.live() ? 0 : decoder.declaredDurationMicros();
                startNanos = System.nanoTime();
                DecodeSummary summary = decoder.decode(sampler, this, () -> stopRequested);
                listener.decoded(decodedFrames - reportedDecoded);
                return summary;
            }
        }

        @Override
        public void accept(long relativeMicros, RgbImage image) {
            long micros = timeOffsetMicros + relativeMicros;
            long index = cutter.nextFrameIndex();
            RgbImage crop = preprocessor.resizeAndCrop(image);
            thumbnailRing[(int) (index % thumbnailRing.length)] = thumbnails.jpeg(crop);
            if (index >= skipFramesBelow) {
                sink.frame(SampledFrame.newBuilder()
                        .setSourceId(sourceId())
                        .setClipIndex(cutter.clipIndexOf(index))
                        .setFrameIndex(index)
                        .setPresentationTimeMicros(micros)
                        .setWidth(crop.width())
                        .setHeight(crop.height())
                        .setPixels(ByteBuffer.wrap(crop.rgb()))
                        .build());
            }
            listener.sampled();
            boolean closed = false;
            for (ClipWindow clip : cutter.add(micros, sampler.intervalMicros())) {
                emitClip(clip, progress());
                closed = true;
            }
            if (!closed && index >= skipFramesBelow && source.live() && settings.liveCommitEveryFrames() > 0) {
                commitOpenFrames();
            }
        }

        /**
         * Commits the open clip's frames every {@code liveCommitEveryFrames} frames, with a status that still names the
         * last closed clip: a reconnect starts after that clip and sends these frame indexes again, and the index's
         * frame buffer keeps the newer copy, so nothing is doubled; downstream sees each frame within a commit.
         */
        private void commitOpenFrames() {
            if (++uncommittedFrames >= settings.liveCommitEveryFrames()) {
                commitStatus(IngestState.DECODING, null, rate(), null);
                uncommittedFrames = 0;
            }
        }

        @Override
        public void decoded(long decodedFrames, long relativeMicros) {
            this.decodedFrames = decodedFrames;
            this.lastRelative = relativeMicros;
            if (decodedFrames - reportedDecoded >= 64) {
                listener.decoded(decodedFrames - reportedDecoded);
                reportedDecoded = decodedFrames;
            }
        }

        void emitClip(ClipWindow clip, Float progress) {
            if (clip.clipIndex() < skipClipsBelow) {
                return;
            }
            byte[] thumbnail = thumbnailRing[(int) (clip.middleFrameIndex() % thumbnailRing.length)];
            sink.boundary(ClipBoundary.newBuilder()
                    .setSourceId(sourceId())
                    .setClipIndex(clip.clipIndex())
                    .setClipId(ClipWindow.clipId(sourceId(), clip.firstFrameIndex()))
                    .setFirstFrameIndex(clip.firstFrameIndex())
                    .setFrameCount(clip.frameCount())
                    .setStartTimeMicros(clip.startMicros())
                    .setEndTimeMicros(clip.endMicros())
                    .setThumbnailJpeg(ByteBuffer.wrap(thumbnail == null ? new byte[0] : thumbnail))
                    .setTenant(request.getTenant())
                    .setTags(request.getTags())
                    .build());
            committedFrames = Math.max(committedFrames, cutter.nextFrameIndex());
            uncommittedFrames = 0;
            committedClips = clip.clipIndex() + 1;
            committedEndMicros = clip.endMicros();
            Double rate = rate();
            if (rate != null) {
                listener.rate(rate);
            }
            commitStatus(IngestState.DECODING, progress, rate, null);
        }

        Float progress() {
            if (declaredMicros <= 0) {
                return null;
            }
            return (float) Math.min(100.0, 100.0 * lastRelative / declaredMicros);
        }

        Double rate() {
            double seconds = (System.nanoTime() - startNanos) / 1e9;
            return seconds > 0 && decodedFrames > 0 ? decodedFrames / seconds : null;
        }
    }

    /** {@code m:ss.t} of a presentation time, as the CLI and the page print times. */
    static String clock(long micros) {
        long tenths = Math.max(0, micros) / 100_000;
        return String.format(java.util.Locale.ROOT, "%d:%02d.%d", tenths / 600, (tenths / 10) % 60, tenths % 10);
    }
}
