/**
 * The ingest service's Kafka side: the transactional frame sink, the request worker, the shared live-source
 * registry with failover, the status view, the intake producer and the listener that stops runs of deleted sources.
 */
package io.clip4stream.ingest.kafka;
