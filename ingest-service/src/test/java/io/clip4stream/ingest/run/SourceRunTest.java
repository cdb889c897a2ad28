package io.clip4stream.ingest.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.ingest.decode.SyntheticVideo;
import io.clip4stream.ingest.decode.VideoDecoder;
import io.clip4stream.ingest.source.ResolvedSource;
import io.clip4stream.model.spec.Preprocessing;
import io.clip4stream.schemas.avro.ClipBoundary;
import io.clip4stream.schemas.avro.EndOfSource;
import io.clip4stream.schemas.avro.EndReason;
import io.clip4stream.schemas.avro.IngestRequest;
import io.clip4stream.schemas.avro.IngestState;
import io.clip4stream.schemas.avro.IngestStatus;
import io.clip4stream.schemas.avro.SampledFrame;
import io.clip4stream.schemas.avro.SourceKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.ffmpeg.global.avcodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run against a fake transactional sink: commits per clip, resumes without duplicates, fails readably. */
class SourceRunTest {
    @TempDir
    Path dir;

    /** A fake sink with transaction semantics: records become visible only at commit. */
    static class FakeSink implements FrameSink {
        final List<Object> committed = new ArrayList<>();
        final List<Object> pending = new ArrayList<>();
        final List<IngestStatus> statuses = new ArrayList<>();
        Checkpoint checkpoint = Checkpoint.NONE;
        int failAfterCommits = Integer.MAX_VALUE;
        RuntimeException failure;

        @Override
        public Checkpoint claim() {
            return checkpoint;
        }

        @Override
        public void frame(SampledFrame frame) {
            pending.add(frame);
        }

        @Override
        public void boundary(ClipBoundary boundary) {
            pending.add(boundary);
        }

        @Override
        public void end(EndOfSource end) {
            pending.add(end);
        }

        @Override
        public void commit(IngestStatus status) {
            if (statuses.size() >= failAfterCommits) {
                throw failure != null
                        ? failure
                        : new SourceFencedException(status.getSourceId(), new IllegalStateException("instance died"));
            }
            committed.addAll(pending);
            pending.clear();
            statuses.add(status);
        }

        @Override
        public void abort() {
            pending.clear();
        }

        @Override
        public void close() {}

        <T> List<T> of(Class<T> type) {
            return committed.stream().filter(type::isInstance).map(type::cast).toList();
        }
    }

    private static IngestRequest request(Path file) {
        return IngestRequest.newBuilder()
                .setRequestId("r")
                .setSourceId("vid")
                .setKind(SourceKind.UPLOAD)
                .setUri(file.toString())
                .setSamplingFps(2)
                .setClipWindowFrames(2)
                .setClipStrideFrames(2)
                .setRequestedAtMillis(0)
                .build();
    }

    private static RunSettings settings() {
        return new RunSettings(Preprocessing.clip(16), 16, VideoDecoder.Options.exact(), Duration.ofMillis(10));
    }

    private Path video() {
        Path file = dir.resolve("v.mp4");
        SyntheticVideo.h264Mp4(64, 48, 10, 30).writeTo(file);
        return file;
    }

    @Test
    void commitsOncePerClipAndEndsCleanly() {
        Path file = video();
        FakeSink sink = new FakeSink();
        SourceRun.Result result = new SourceRun(
                        request(file), new ResolvedSource.LocalFile(file, false), sink, settings(), RunListener.NONE)
                .run();
        assertEquals(SourceRun.Outcome.COMPLETED, result.outcome());
        assertEquals(6, sink.of(SampledFrame.class).size());
        assertEquals(3, sink.of(ClipBoundary.class).size());
        assertEquals(EndReason.COMPLETED, sink.of(EndOfSource.class).get(0).getReason());
        // DECODING at start, one per clip, DONE at the end.
        assertEquals(5, sink.statuses.size());
        assertEquals(IngestState.DONE, sink.statuses.get(4).getState());
        assertEquals(16 * 16 * 3, sink.of(SampledFrame.class).get(0).getPixels().remaining());
    }

    @Test
    void aRunThatDiesMidwayIsResumedWithoutDuplicatesOrGaps() {
        Path file = video();
        FakeSink sink = new FakeSink();
        sink.failAfterCommits = 3; // start status + 2 clips, then the instance "dies" before clip 3 commits
        SourceRun.Result first = new SourceRun(
                        request(file), new ResolvedSource.LocalFile(file, false), sink, settings(), RunListener.NONE)
                .run();
        assertEquals(SourceRun.Outcome.FENCED, first.outcome());
        assertEquals(2, sink.of(ClipBoundary.class).size());
        sink.pending.clear();
        sink.failAfterCommits = Integer.MAX_VALUE;
        sink.checkpoint = Checkpoint.of(sink.statuses.get(sink.statuses.size() - 1));
        SourceRun.Result second = new SourceRun(
                        request(file), new ResolvedSource.LocalFile(file, false), sink, settings(), RunListener.NONE)
                .run();
        assertEquals(SourceRun.Outcome.COMPLETED, second.outcome());
        assertEquals(
                List.of(0L, 1L, 2L, 3L, 4L, 5L),
                sink.of(SampledFrame.class).stream()
                        .map(SampledFrame::getFrameIndex)
                        .toList());
        assertEquals(
                List.of("vid:0", "vid:2", "vid:4"),
                sink.of(ClipBoundary.class).stream()
                        .map(ClipBoundary::getClipId)
                        .toList());
    }

    @Test
    void aLiveSourceCommitsItsOpenClipsFramesEveryNFramesWithoutMovingItsCheckpoint() {
        Path file = dir.resolve("live.ts");
        SyntheticVideo.h264Mp4(64, 48, 10, 30)
                .as("mpegts", avcodec.AV_CODEC_ID_H264)
                .writeTo(file);
        SourceRun[] run = new SourceRun[1];
        FakeSink sink = new FakeSink() {
            @Override
            public void commit(IngestStatus status) {
                super.commit(status);
                if (of(SampledFrame.class).size() >= 6) {
                    run[0].stop(false); // the camera is still connected; a stop ends the test
                }
            }
        };
        IngestRequest live = IngestRequest.newBuilder(request(file))
                .setKind(SourceKind.LIVE)
                .setClipWindowFrames(4)
                .setClipStrideFrames(4)
                .build();
        RunSettings everyFrame = new RunSettings(
                Preprocessing.clip(16),
                16,
                new VideoDecoder.Options(false, Duration.ofSeconds(1)),
                Duration.ofMillis(10),
                1);
        run[0] = new SourceRun(live, new ResolvedSource.LocalFile(file, true), sink, everyFrame, RunListener.NONE);

        assertEquals(SourceRun.Outcome.STOPPED, run[0].run().outcome());

        // Frames 4 and 5 belong to clip 1, still open: committed all the same, each in its own transaction.
        assertEquals(
                List.of(0L, 1L, 2L, 3L, 4L, 5L),
                sink.of(SampledFrame.class).stream()
                        .map(SampledFrame::getFrameIndex)
                        .toList()
                        .subList(0, 6));
        assertEquals(1, sink.of(ClipBoundary.class).size());
        // Start, frames 0-2, clip 0 (frame 3), frames 4 and 5: the checkpoint never passes the last closed clip.
        assertEquals(7, sink.statuses.size(), sink.statuses.toString());
        assertEquals(
                List.of(0L, 0L, 0L, 0L, 4L, 4L, 4L),
                sink.statuses.stream().map(IngestStatus::getFramesSampled).toList());
        assertEquals(1, sink.statuses.getLast().getClipsEmitted());
    }

    @Test
    void aLiveSourceCommitsOncePerClipWhenToldTo() {
        Path file = dir.resolve("live.ts");
        SyntheticVideo.h264Mp4(64, 48, 10, 30)
                .as("mpegts", avcodec.AV_CODEC_ID_H264)
                .writeTo(file);
        SourceRun[] run = new SourceRun[1];
        FakeSink sink = new FakeSink() {
            @Override
            public void commit(IngestStatus status) {
                super.commit(status);
                if (!of(ClipBoundary.class).isEmpty()) {
                    run[0].stop(false);
                }
            }
        };
        IngestRequest live = IngestRequest.newBuilder(request(file))
                .setKind(SourceKind.LIVE)
                .setClipWindowFrames(4)
                .setClipStrideFrames(4)
                .build();
        RunSettings perClip = new RunSettings(
                Preprocessing.clip(16),
                16,
                new VideoDecoder.Options(false, Duration.ofSeconds(1)),
                Duration.ofMillis(10),
                0);
        run[0] = new SourceRun(live, new ResolvedSource.LocalFile(file, true), sink, perClip, RunListener.NONE);

        assertEquals(SourceRun.Outcome.STOPPED, run[0].run().outcome());

        assertEquals(4, sink.of(SampledFrame.class).size(), "the open clip's frames were never committed");
        assertEquals(2, sink.statuses.size(), "start and clip 0");
    }

    @Test
    void aCompletedFileIsNotIngestedAgain() {
        Path file = video();
        FakeSink sink = new FakeSink();
        sink.checkpoint = new Checkpoint(IngestState.DONE, 6, 3, 3_000_000L);
        SourceRun.Result result = new SourceRun(
                        request(file), new ResolvedSource.LocalFile(file, false), sink, settings(), RunListener.NONE)
                .run();
        assertEquals(SourceRun.Outcome.ALREADY_DONE, result.outcome());
        assertTrue(sink.committed.isEmpty());
    }

    @Test
    void anUnreadableFileEndsAsFailedWithItsReason() throws Exception {
        Path file = Files.writeString(dir.resolve("bad.mp4"), "not a video");
        FakeSink sink = new FakeSink();
        SourceRun.Result result = new SourceRun(
                        request(file), new ResolvedSource.LocalFile(file, false), sink, settings(), RunListener.NONE)
                .run();
        assertEquals(SourceRun.Outcome.FAILED, result.outcome());
        IngestStatus last = sink.statuses.get(sink.statuses.size() - 1);
        assertEquals(IngestState.FAILED, last.getState());
        assertTrue(last.getReason().contains("not a video"), last.getReason());
        assertEquals(EndReason.FAILED, sink.of(EndOfSource.class).get(0).getReason());
    }

    @Test
    void aFailingSinkInterruptsTheRunWithoutFailingTheSourceAndTheNextRunFinishesIt() {
        Path file = video();
        FakeSink sink = new FakeSink();
        sink.failAfterCommits = 2; // start status + clip 0, then the broker goes away at clip 1's commit
        sink.failure =
                new SinkFailedException("vid", "commit a transaction", new IllegalStateException("broker unavailable"));
        SourceRun.Result first = new SourceRun(
                        request(file), new ResolvedSource.LocalFile(file, false), sink, settings(), RunListener.NONE)
                .run();
        assertEquals(SourceRun.Outcome.INTERRUPTED, first.outcome());
        assertTrue(first.reason().contains("broker unavailable"), first.reason());
        // Nothing claims the source failed: no FAILED status, no end marker; the checkpoint is clip 0.
        assertTrue(sink.statuses.stream().noneMatch(s -> s.getState() == IngestState.FAILED), sink.statuses.toString());
        assertTrue(sink.of(EndOfSource.class).isEmpty());
        assertTrue(sink.pending.stream().noneMatch(EndOfSource.class::isInstance), "no end marker even pending");
        sink.pending.clear(); // what a closed Kafka producer's open transaction amounts to
        sink.failAfterCommits = Integer.MAX_VALUE;
        sink.checkpoint = Checkpoint.of(sink.statuses.get(sink.statuses.size() - 1));
        SourceRun.Result second = new SourceRun(
                        request(file),
                        new ResolvedSource.LocalFile(file, false),
                        sink,
                        settings(),
                        RunListener.NONE,
                        "resumed after 1 interrupted run(s)")
                .run();
        assertEquals(SourceRun.Outcome.COMPLETED, second.outcome());
        assertEquals(
                List.of("vid:0", "vid:2", "vid:4"),
                sink.of(ClipBoundary.class).stream()
                        .map(ClipBoundary::getClipId)
                        .toList());
        IngestStatus resumed = sink.statuses.get(2);
        assertEquals(IngestState.DECODING, resumed.getState());
        assertEquals("resumed after 1 interrupted run(s)", resumed.getReason());
        assertEquals(1, resumed.getClipsEmitted());
        assertEquals(
                IngestState.DONE, sink.statuses.get(sink.statuses.size() - 1).getState());
    }
}
