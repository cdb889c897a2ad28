/**
 * The encoder service: sampled frames in, CLIP frame embeddings out, micro-batched across sources, exactly once with
 * Kafka transactions, scaled out through the consumer group.
 */
package io.clip4stream.encoder;
