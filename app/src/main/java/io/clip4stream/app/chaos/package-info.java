/**
 * Chaos trials ({@code clip4stream bench chaos}): crash a random service instance or broker of a local cluster at a
 * random moment of ingest, start it again, and count what became of every clip.
 */
package io.clip4stream.app.chaos;
