/**
 * Compact frame embeddings for storage and transport: {@link io.clip4stream.schemas.frames.PackedFrames} packs a clip's
 * frames as float32, float16, or int8 or int10 with a per-frame scale, and {@link io.clip4stream.schemas.frames.ClipFrames} is the
 * one reader of a {@code ClipVector}'s frames, packed or not.
 */
package io.clip4stream.schemas.frames;
