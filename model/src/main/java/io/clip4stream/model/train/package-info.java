/**
 * Training CLIP4Clip as its original code trains it: the symmetric cross-entropy loss, {@code BertAdam} with
 * {@code warmup_cosine}, gradient clipping, the freeze rule, a new head's starting weights for a CLIP-only checkpoint,
 * and the check against the original's training fixtures.
 *
 * <p>Pure: tensors in, tensors out. Data loading and the command line live in the application.
 */
package io.clip4stream.model.train;
