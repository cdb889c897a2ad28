/**
 * The Lucene implementation of the clip vector store: {@link io.clip4stream.index.lucene.ClipIndex} is the index itself
 * (one {@code IndexWriter} and one NRT {@code SearcherManager} per stream task, clip vectors as
 * {@code KnnFloatVectorField}s (dot product) in memory-mapped files, metadata as filter fields and doc values, removal
 * passes over doc values) with no Kafka in it; {@link io.clip4stream.index.lucene.LuceneClipStore} adapts it to Kafka
 * Streams' {@code StateStore} and is the one class that uses Streams internals.
 */
package io.clip4stream.index.lucene;
