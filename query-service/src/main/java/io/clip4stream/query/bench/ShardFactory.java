package io.clip4stream.query.bench;

import java.io.IOException;
import java.util.List;

/** Starts the benchmark's index instances: exact scans held in memory, or (in the app) real Lucene shards. */
@FunctionalInterface
public interface ShardFactory {

    /**
     * What one instance holds.
     *
     * @param shard the instance's number, also its one partition
     * @param modelId the model id the clips carry
     * @param clips the clips
     * @param vectors their unit vectors, row {@code i} of {@code clips.size() x dim} being clip {@code i}'s
     * @param dim vector width
     * @param frames the frame embeddings of clip {@code i}
     */
    record Contents(
            int shard,
            String modelId,
            List<InMemoryIndexServer.ClipInfo> clips,
            float[] vectors,
            int dim,
            InMemoryIndexServer.FrameSource frames) {}

    /** The exact-scan instances held in memory, today's baseline. */
    ShardFactory EXACT = contents -> new InMemoryIndexServer(
            contents.clips(), contents.vectors(), contents.dim(), contents.frames(), List.of(contents.shard()));

    /** Starts an instance serving {@code contents}. */
    BenchShard start(Contents contents) throws IOException;
}
