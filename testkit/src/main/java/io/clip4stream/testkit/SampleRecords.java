package io.clip4stream.testkit;

import io.clip4stream.schemas.avro.Caption;
import io.clip4stream.schemas.avro.ClipBoundary;
import io.clip4stream.schemas.avro.ClipVector;
import io.clip4stream.schemas.avro.EmbeddingStreamRecord;
import io.clip4stream.schemas.avro.EndOfSource;
import io.clip4stream.schemas.avro.EndReason;
import io.clip4stream.schemas.avro.FrameEmbedding;
import io.clip4stream.schemas.avro.FrameStreamRecord;
import io.clip4stream.schemas.avro.IngestRequest;
import io.clip4stream.schemas.avro.IngestState;
import io.clip4stream.schemas.avro.IngestStatus;
import io.clip4stream.schemas.avro.PipelineError;
import io.clip4stream.schemas.avro.SampledFrame;
import io.clip4stream.schemas.avro.SourceDeletion;
import io.clip4stream.schemas.avro.SourceKind;
import io.clip4stream.schemas.frames.ClipFrames;
import io.clip4stream.schemas.frames.FrameEncoding;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

/** A complete, valid example of every record type, for tests that move records around. */
public final class SampleRecords {
    private SampleRecords() {}

    /** An ingest request for a live camera. */
    public static IngestRequest ingestRequest(String sourceId) {
        return IngestRequest.newBuilder()
                .setRequestId("req-" + sourceId)
                .setSourceId(sourceId)
                .setKind(SourceKind.LIVE)
                .setUri("rtsp://127.0.0.1:8554/" + sourceId)
                .setSamplingFps(1.0)
                .setClipWindowFrames(12)
                .setClipStrideFrames(12)
                .setTenant("acme")
                .setTags(List.of("lobby"))
                .setMetadata(Map.of("site", "hq"))
                .setRequestedAtMillis(1_700_000_000_000L)
                .build();
    }

    /** A status in the middle of decoding. */
    public static IngestStatus ingestStatus(String sourceId) {
        return IngestStatus.newBuilder()
                .setSourceId(sourceId)
                .setState(IngestState.DECODING)
                .setKind(SourceKind.UPLOAD)
                .setProgressPercent(42.5f)
                .setFramesPerSecond(310.0)
                .setFramesSampled(17)
                .setClipsEmitted(1)
                .setUpdatedAtMillis(1_700_000_000_500L)
                .build();
    }

    /** A deletion request. */
    public static SourceDeletion sourceDeletion(String sourceId) {
        return SourceDeletion.newBuilder()
                .setSourceId(sourceId)
                .setRequestedAtMillis(1_700_000_001_000L)
                .setReason("retention")
                .build();
    }

    /** A sampled 4x2 RGB frame. */
    public static SampledFrame sampledFrame(String sourceId, long frameIndex) {
        byte[] pixels = new byte[4 * 2 * 3];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 7 + frameIndex);
        }
        return SampledFrame.newBuilder()
                .setSourceId(sourceId)
                .setClipIndex(frameIndex / 12)
                .setFrameIndex(frameIndex)
                .setPresentationTimeMicros(frameIndex * 1_000_000L)
                .setWidth(4)
                .setHeight(2)
                .setPixels(ByteBuffer.wrap(pixels))
                .build();
    }

    /** The boundary of the first clip of a source. */
    public static ClipBoundary clipBoundary(String sourceId) {
        return ClipBoundary.newBuilder()
                .setSourceId(sourceId)
                .setClipIndex(0)
                .setClipId(sourceId + ":0")
                .setFirstFrameIndex(0)
                .setFrameCount(12)
                .setStartTimeMicros(0)
                .setEndTimeMicros(12_000_000L)
                .setThumbnailJpeg(ByteBuffer.wrap(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xD9}))
                .setTenant("acme")
                .setTags(List.of("lobby"))
                .build();
    }

    /** A clean end marker. */
    public static EndOfSource endOfSource(String sourceId) {
        return EndOfSource.newBuilder()
                .setSourceId(sourceId)
                .setReason(EndReason.COMPLETED)
                .setTotalFrames(12)
                .setTotalClips(1)
                .setDurationMicros(12_000_000L)
                .setDetail(null)
                .build();
    }

    /** A 4-dimensional frame embedding. */
    public static FrameEmbedding frameEmbedding(String sourceId, long frameIndex) {
        return FrameEmbedding.newBuilder()
                .setSourceId(sourceId)
                .setClipIndex(frameIndex / 12)
                .setFrameIndex(frameIndex)
                .setPresentationTimeMicros(frameIndex * 1_000_000L)
                .setModelId("tiny-clip4clip")
                .setModelVersion("1")
                .setEmbedding(List.of(0.5f, -0.5f, 0.25f, (float) frameIndex))
                .build();
    }

    /** An indexed clip with two frame embeddings. */
    public static ClipVector clipVector(String sourceId) {
        return clipVectorBuilder(sourceId).build();
    }

    /** The same clip with its frame embeddings stored in {@code encoding} (packed unless float32). */
    public static ClipVector clipVector(String sourceId, FrameEncoding encoding) {
        ClipVector clip = clipVector(sourceId);
        return ClipFrames.set(ClipVector.newBuilder(clip), ClipFrames.of(clip), encoding)
                .build();
    }

    private static ClipVector.Builder clipVectorBuilder(String sourceId) {
        return ClipVector.newBuilder()
                .setClipId(sourceId + ":0")
                .setSourceId(sourceId)
                .setClipIndex(0)
                .setStartTimeMicros(0)
                .setEndTimeMicros(12_000_000L)
                .setTenant("acme")
                .setTags(List.of("lobby"))
                .setThumbnailJpeg(ByteBuffer.wrap(new byte[] {1, 2, 3}))
                .setModelId("tiny-clip4clip")
                .setModelVersion("1")
                .setAggregation("meanP")
                .setVector(List.of(0.6f, 0.8f, 0f, 0f))
                .setFrameEmbeddings(List.of(List.of(1f, 0f, 0f, 0f), List.of(0f, 1f, 0f, 0f)))
                .setIndexedAtMillis(1_700_000_002_000L);
    }

    /** A caption of the first 12 seconds of a source. */
    public static Caption caption(String sourceId) {
        return Caption.newBuilder()
                .setCaptionId("cap-" + sourceId)
                .setSourceId(sourceId)
                .setStartMicros(0)
                .setEndMicros(12_000_000L)
                .setText("a red ball rolls to the left")
                .setTenant("acme")
                .setCreatedAtMillis(1_700_000_004_000L)
                .build();
    }

    /** An error record. */
    public static PipelineError pipelineError(String sourceId) {
        return PipelineError.newBuilder()
                .setStage("encoder")
                .setTopic("clip4stream.frames")
                .setPartition(2)
                .setOffset(1234)
                .setKey(ByteBuffer.wrap(sourceId.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .setErrorType("UnknownSchemaException")
                .setMessage("writer schema fingerprint 0x0102 is unknown")
                .setOccurredAtMillis(1_700_000_003_000L)
                .build();
    }

    /** Every payload of the frame stream: a frame, a boundary and an end marker. */
    public static List<FrameStreamRecord> frameStream(String sourceId) {
        return List.of(
                new FrameStreamRecord(sampledFrame(sourceId, 0)),
                new FrameStreamRecord(clipBoundary(sourceId)),
                new FrameStreamRecord(endOfSource(sourceId)));
    }

    /** Every payload of the embedding stream: an embedding, a boundary and an end marker. */
    public static List<EmbeddingStreamRecord> embeddingStream(String sourceId) {
        return List.of(
                new EmbeddingStreamRecord(frameEmbedding(sourceId, 0)),
                new EmbeddingStreamRecord(clipBoundary(sourceId)),
                new EmbeddingStreamRecord(endOfSource(sourceId)));
    }
}
