package io.clip4stream.ingest.decode;

/**
 * What one decoding pass saw.
 *
 * @param decodedFrames video frames decoded
 * @param sampledFrames frames handed to the consumer
 * @param lastRelativeMicros presentation time of the last decoded frame relative to the first; -1 without frames
 * @param declaredDurationMicros length the container declares; 0 when unknown (live streams, raw MPEG-TS pipes)
 * @param frameMicros nominal duration of one frame from the stream's frame rate; 0 when unknown
 * @param stopped whether decoding ended because the caller asked it to stop
 * @param truncation why the input ended before its declared length, or null when it did not
 */
public record DecodeSummary(
        long decodedFrames,
        long sampledFrames,
        long lastRelativeMicros,
        long declaredDurationMicros,
        long frameMicros,
        boolean stopped,
        String truncation) {

    /** Whether the input ended before its declared length. */
    public boolean truncated() {
        return truncation != null;
    }

    /** Duration seen: the last frame's time plus one frame, or 0 without frames. */
    public long durationMicros() {
        return lastRelativeMicros < 0 ? 0 : lastRelativeMicros + frameMicros;
    }
}
