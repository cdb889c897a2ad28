/**
 * The query benchmark and the in-memory index it runs against: an exact-scan implementation of the index-service's
 * HTTP query contract, also used by tests as the index side of end-to-end searches.
 */
package io.clip4stream.query.bench;
