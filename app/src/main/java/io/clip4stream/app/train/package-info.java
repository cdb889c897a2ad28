/**
 * Training data and the training run: captioned clips from a manifest or the MSR-VTT layout, decoded with the ingest
 * service's sampler and the model's preprocessing, batched per epoch, trained with {@code io.clip4stream.model.train},
 * checkpointed and evaluated.
 */
package io.clip4stream.app.train;
