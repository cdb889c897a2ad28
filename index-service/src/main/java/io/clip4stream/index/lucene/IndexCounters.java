package io.clip4stream.index.lucene;

/**
 * Work a {@link ClipIndex} has done since it opened, for tests and metrics that must not measure time.
 *
 * @param refreshes searcher refreshes (scheduled, explicit and those of maintenance passes)
 * @param maintenancePasses removal passes ({@link ClipIndex#remove})
 * @param maintenanceRefreshes refreshes made by removal passes
 * @param documentsScanned documents removal passes looked at
 */
public record IndexCounters(long refreshes, long maintenancePasses, long maintenanceRefreshes, long documentsScanned) {}
