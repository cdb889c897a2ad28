package io.clip4stream.ingest.decode;

import org.bytedeco.ffmpeg.avutil.LogCallback;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.BytePointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * FFmpeg's own messages ({@code Invalid NAL unit size}, ...) as log lines of the {@code ffmpeg} logger, so they reach
 * the log with the source id of the decoding thread (MDC {@code sourceId}) instead of the console.
 */
final class FfmpegLog extends LogCallback {
    private static final Logger LOG = LoggerFactory.getLogger("io.clip4stream.ingest.ffmpeg");

    /** The one callback: FFmpeg keeps a native pointer to it, so it must never be collected. */
    private static final FfmpegLog INSTANCE = new FfmpegLog();

    private FfmpegLog() {}

    /** Routes FFmpeg's messages of level error and worse into the log; corrupt inputs would otherwise flood it. */
    static void install() {
        avutil.av_log_set_level(avutil.AV_LOG_ERROR);
        avutil.setLogCallback(INSTANCE);
    }

    @Override
    public void call(int level, BytePointer message) {
        String text = message.getString().strip();
        if (text.isEmpty()) {
            return;
        }
        // Errors of a bad input are the input's, not ours: the source's status says what a user can act on.
        if (level <= avutil.AV_LOG_WARNING) {
            LOG.warn("ffmpeg: {}", text);
        } else {
            LOG.debug("ffmpeg: {}", text);
        }
    }
}
