/** CLIP4Clip: the facade that services use to embed frames, aggregate clips, encode text and score pairs. */
package io.clip4stream.model;
