/**
 * Model changes inside the index: which model versions a shard keeps vectors for ({@link
 * io.clip4stream.index.rebuild.IndexModels}), re-aggregating a shard's clips into a newly deployed version from the frame
 * embeddings it retains and dropping retired versions ({@link io.clip4stream.index.rebuild.ShardRebuild}), and the
 * per-shard progress operators watch ({@link io.clip4stream.index.rebuild.RebuildProgress}).
 */
package io.clip4stream.index.rebuild;
