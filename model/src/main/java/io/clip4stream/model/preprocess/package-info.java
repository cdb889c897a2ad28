/** Frame preprocessing identical to CLIP's: Pillow bicubic resize of the short side, center crop, normalisation. */
package io.clip4stream.model.preprocess;
