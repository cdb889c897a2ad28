/**
 * Scatter-gather over the index-service: instance discovery, the HTTP shard client and its wire records, and the
 * parallel, deadline-bounded gathering of candidates.
 */
package io.clip4stream.query.fanout;
