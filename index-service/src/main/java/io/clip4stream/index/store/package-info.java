/**
 * The clip vector store contract: a read-write {@link io.clip4stream.index.store.ClipVectorStore} for processors, a
 * {@link io.clip4stream.index.store.ReadOnlyClipVectorStore} for queries, the changelog decorator, the queryable store
 * type that merges the local partitions, and an exact-scan reference implementation.
 */
package io.clip4stream.index.store;
