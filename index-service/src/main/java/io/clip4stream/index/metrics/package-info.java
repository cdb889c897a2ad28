/** The index service's Prometheus metrics: shard sizes, clips indexed, consumer lag, freshness. */
package io.clip4stream.index.metrics;
