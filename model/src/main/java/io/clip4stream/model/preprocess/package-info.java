/** Frame preprocessing: Pillow bicubic (CLIP's) or bilinear resize of the short side, center crop, normalisation. */
package io.clip4stream.model.preprocess;
