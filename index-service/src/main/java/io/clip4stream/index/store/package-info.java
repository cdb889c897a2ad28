/**
 * The clip vector store contract: a read-write {@link io.clip4stream.index.store.ClipVectorStore} for processors, a
 * {@link io.clip4stream.index.store.ReadOnlyClipVectorStore} for queries, the changelog format, removal passes and their
 * budget, the view that merges the local partitions, and an exact-scan reference implementation.
 */
package io.clip4stream.index.store;
