/** CLIP's byte-level BPE tokenizer and the caption-to-ids layout of the CLIP4Clip dataloaders. */
package io.clip4stream.model.tokenize;
