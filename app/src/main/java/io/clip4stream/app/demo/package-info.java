/**
 * The demo world: scenes of simple coloured shapes doing simple things, rendered as real videos with captions written
 * from the scene, deterministic from a seed. The default model is trained on it, and {@code run} ingests its videos.
 */
package io.clip4stream.app.demo;
