/** Kafka serdes that write Avro single-object encoding and resolve older writer schemas without a registry. */
package io.clip4stream.schemas.serde;
