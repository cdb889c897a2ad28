/** The search path end to end: encode the text once, gather candidates from every shard, merge, re-rank, answer. */
package io.clip4stream.query.engine;
