/**
 * Stored videos and their playback: uploads kept until their source is deleted, references to files under the ingest
 * root, byte ranges (so browsers can seek) and the container's content type.
 */
package io.clip4stream.ingest.media;
