/**
 * One source's run: decode, sample, preprocess, cut into clips and hand records to a sink, resuming after the last
 * committed clip; no Kafka here (the Kafka sink lives in {@code io.clip4stream.ingest.kafka}).
 */
package io.clip4stream.ingest.run;
