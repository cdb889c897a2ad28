/**
 * The alert service: standing queries scored against every newly indexed clip, matches merged into alert moments
 * on the compacted {@code alerts} topic, and delivery of those alerts to webhooks.
 *
 * <p>A service of its own rather than a part of the index service: it reads only the index service's output
 * ({@code clip-vectors}) and the standing-queries table, scales with the number of standing queries rather than with
 * the index, and can be restarted or redeployed without touching the index shards. Like every service it depends on
 * no other service; the launcher composes it.
 */
package io.clip4stream.alert;
