/**
 * The index benchmarks behind {@code bin/clip4stream bench knn} and {@code bench freshness}, and the synthetic,
 * embedding-like data they run on.
 */
package io.clip4stream.index.bench;
