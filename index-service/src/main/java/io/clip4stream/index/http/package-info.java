/** The index service's HTTP API: k-NN over the local shards, the shard map, and per-source freshness. */
package io.clip4stream.index.http;
