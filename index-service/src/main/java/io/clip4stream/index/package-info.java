/** The index service: a Kafka Streams application that assembles clips and keeps a Lucene HNSW index per shard. */
package io.clip4stream.index;
