/**
 * The alert topology: the standing-queries table, clip vectors re-keyed by source, and the processor that scores,
 * calibrates and merges them into alerts, with its state in changelogged stores.
 */
package io.clip4stream.alert.stream;
