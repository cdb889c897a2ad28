/** The query service: the search API and web page, scatter-gather over index shards and tight re-ranking. */
package io.clip4stream.query;
