/** The encoder service: batches sampled frames and publishes their CLIP visual embeddings, exactly once. */
package io.clip4stream.encoder;
