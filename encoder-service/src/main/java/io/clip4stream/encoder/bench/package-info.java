/** The encoder benchmark: frames per second through a Kafka broker against the model alone at the same batch size. */
package io.clip4stream.encoder.bench;
