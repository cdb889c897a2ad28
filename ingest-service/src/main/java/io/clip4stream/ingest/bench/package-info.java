/** {@code clip4stream bench decode}: our decode-and-sample throughput next to the {@code ffmpeg} command's. */
package io.clip4stream.ingest.bench;
