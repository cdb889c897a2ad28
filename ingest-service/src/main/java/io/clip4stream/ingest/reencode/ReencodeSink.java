package io.clip4stream.ingest.reencode;

import io.clip4stream.ingest.kafka.KafkaFrameSink;
import io.clip4stream.ingest.run.Checkpoint;
import io.clip4stream.ingest.run.FrameSink;
import io.clip4stream.runtime.kafka.KafkaClientSettings;
import io.clip4stream.schemas.avro.ClipBoundary;
import io.clip4stream.schemas.avro.EndOfSource;
import io.clip4stream.schemas.avro.IngestStatus;
import io.clip4stream.schemas.avro.SampledFrame;
import io.clip4stream.schemas.topic.Topics;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.producer.Producer;

/**
 * The sink of a re-encoding run: sends a source's frames, boundaries and end marker to the frames topic like the
 * source's own run (keyed by its id, in a transaction per clip), stamped {@code reencodeFor} with the model version,
 * under a transactional id of its own, so it never fences the source's own run.
 *
 * <p>It always starts from the beginning ({@link #claim()} returns an empty checkpoint): the index stores clips by
 * version and clip id, so a repeated re-encode overwrites and never doubles. It never writes a status: re-encoding
 * must not change what a source's ingest status says.
 */
public final class ReencodeSink implements FrameSink {
    private final KafkaFrameSink lane;
    private final String version;
    private final LongConsumer clipsCommitted;
    private long pendingClips;

    /**
     * A sink writing through {@code lane} for {@code version}; {@code clipsCommitted} hears how many clips each commit
     * made final.
     */
    public ReencodeSink(KafkaFrameSink lane, String version, LongConsumer clipsCommitted) {
        this.lane = Objects.requireNonNull(lane, "lane");
        this.version = Objects.requireNonNull(version, "version");
        this.clipsCommitted = Objects.requireNonNull(clipsCommitted, "clipsCommitted");
    }

    /** A sink re-encoding {@code sourceId} for {@code version} through producers made by {@code producers}. */
    public static ReencodeSink open(
            KafkaClientSettings kafka,
            Topics topics,
            String instanceId,
            String version,
            String sourceId,
            Duration transactionTimeout,
            Function<Map<String, Object>, Producer<byte[], byte[]>> producers,
            LongConsumer clipsCommitted) {
        KafkaFrameSink lane = new KafkaFrameSink(
                kafka,
                topics,
                instanceId + "-reencode-" + version + "-" + sourceId,
                sourceId,
                transactionalId(topics, version, sourceId),
                transactionTimeout,
                producers);
        return new ReencodeSink(lane, version, clipsCommitted);
    }

    /**
     * The transactional id of {@code sourceId}'s re-encoding for {@code version}: never the source's own, and never
     * another (version, source)'s, as the escaped version holds no dot.
     */
    public static String transactionalId(Topics topics, String version, String sourceId) {
        return topics.frames().name() + ".reencode." + ReencodeProgress.escaped(version) + "." + sourceId;
    }

    @Override
    public Checkpoint claim() {
        lane.fence();
        return Checkpoint.NONE;
    }

    @Override
    public void frame(SampledFrame frame) {
        lane.frame(SampledFrame.newBuilder(frame).setReencodeFor(version).build());
    }

    @Override
    public void boundary(ClipBoundary boundary) {
        lane.boundary(ClipBoundary.newBuilder(boundary).setReencodeFor(version).build());
        pendingClips++;
    }

    @Override
    public void end(EndOfSource end) {
        lane.end(EndOfSource.newBuilder(end).setReencodeFor(version).build());
    }

    @Override
    public void commit(IngestStatus status) {
        lane.commitRecords();
        if (pendingClips > 0) {
            clipsCommitted.accept(pendingClips);
            pendingClips = 0;
        }
    }

    @Override
    public void abort() {
        pendingClips = 0;
        lane.abort();
    }

    @Override
    public void close() {
        lane.close();
    }
}
