/** Where the index shards live: which instance holds which partitions, from Kafka Streams' metadata. */
package io.clip4stream.index.shard;
