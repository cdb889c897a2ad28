/** Clip aggregation: a thin adapter from frame embeddings to the model's configured head, with no Kafka in sight. */
package io.clip4stream.index.aggregate;
