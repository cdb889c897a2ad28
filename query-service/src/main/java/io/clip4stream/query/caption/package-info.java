/** Captions users attach to time ranges of indexed sources: validated here, kept in the compacted captions topic. */
package io.clip4stream.query.caption;
