/**
 * Checks this implementation against tensors computed by the original CLIP4Clip code (the parity fixtures), for the
 * test suite and for {@code clip4stream model parity}.
 */
package io.clip4stream.model.parity;
