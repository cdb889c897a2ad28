package io.clip4stream.ingest.run;

import io.clip4stream.schemas.avro.ClipBoundary;
import io.clip4stream.schemas.avro.EndOfSource;
import io.clip4stream.schemas.avro.IngestStatus;
import io.clip4stream.schemas.avro.SampledFrame;

/**
 * Where a run's records go. Frames are provisional until the next {@link #commit}; a sink that cannot make them
 * atomic must at least keep them in order.
 */
public interface FrameSink extends AutoCloseable {
    /** Takes ownership of the source (fencing any previous owner) and returns what is already committed. */
    Checkpoint claim();

    /** Sends a sampled frame (provisional until the next commit). */
    void frame(SampledFrame frame);

    /** Sends a clip boundary (provisional until the next commit). */
    void boundary(ClipBoundary boundary);

    /** Sends the end marker (provisional until the next commit). */
    void end(EndOfSource end);

    /** Commits everything sent since the last commit together with {@code status}. */
    void commit(IngestStatus status);

    /** Drops everything sent since the last commit. */
    void abort();

    /** Releases the sink; uncommitted records are dropped. */
    @Override
    void close();
}
