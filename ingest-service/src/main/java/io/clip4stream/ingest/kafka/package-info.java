/**
 * The ingest service's Kafka side: the transactional frame sink, the request worker, the shared live-source
 * registry with failover, the status view and the intake producer.
 */
package io.clip4stream.ingest.kafka;
