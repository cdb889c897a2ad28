/** Video decoding on JavaCV/FFmpeg: opening inputs, sampled RGB frames, readable failure reasons, test videos. */
package io.clip4stream.ingest.decode;
