/**
 * The Lucene implementation of the clip vector store: one {@code IndexWriter} and one NRT {@code SearcherManager} per
 * stream task, clip vectors as {@code KnnFloatVectorField}s (dot product) in memory-mapped files, metadata as filter
 * fields, the whole clip as a stored field.
 */
package io.clip4stream.index.lucene;
