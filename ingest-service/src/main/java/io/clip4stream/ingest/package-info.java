/** The ingest service: turns uploaded files, URLs and live streams into sampled frames and clips on Kafka. */
package io.clip4stream.ingest;
