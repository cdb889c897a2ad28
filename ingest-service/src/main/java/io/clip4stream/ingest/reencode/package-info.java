/**
 * Re-encoding kept videos (uploads, files under the ingest root) for a model version with another CLIP visual
 * encoder: such a version cannot reuse the stored frame embeddings, so the kept videos are decoded again with its
 * preprocessing and their frames sent, stamped {@code reencodeFor}, beside the sources' own streams; every other
 * source gets an end marker saying it has no kept media, so the index knows when the version is complete.
 */
package io.clip4stream.ingest.reencode;
