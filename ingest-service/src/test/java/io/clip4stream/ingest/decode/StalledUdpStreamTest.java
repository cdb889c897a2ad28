package io.clip4stream.ingest.decode;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.ingest.plan.FrameSampler;
import io.clip4stream.model.preprocess.RgbImage;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.ffmpeg.global.avcodec;
import org.junit.jupiter.api.Test;

/**
 * A live MPEG-TS over UDP whose sender goes silent ends the decoding pass after the read timeout (so the run can
 * reconnect, be deleted or stop) instead of blocking in FFmpeg's read forever, as it did with FFmpeg's UDP fifo.
 */
class StalledUdpStreamTest {
    private static final int DATAGRAM = 7 * 188;
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(5);

    @Test
    void aSilentUdpSenderEndsTheDecodeAfterTheReadTimeout() throws Exception {
        int port;
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        try (DatagramSocket socket = new DatagramSocket()) {
            AtomicLong decoded = new AtomicLong();
            CompletableFuture<DecodeSummary> pass = CompletableFuture.supplyAsync(() -> {
                try (VideoDecoder decoder = VideoDecoder.open(
                        new VideoInput.UrlInput("udp://127.0.0.1:" + port, Map.of()),
                        // Long enough that a slow start (a loaded machine) does not end the pass before the first
                        // datagram; the stall is still detected within seconds.
                        new VideoDecoder.Options(false, READ_TIMEOUT))) {
                    return decoder.decode(
                            new FrameSampler(1.0),
                            new VideoDecoder.FrameConsumer() {
                                @Override
                                public void accept(long relativeMicros, RgbImage image) {}

                                @Override
                                public void decoded(long frames, long relativeMicros) {
                                    decoded.set(frames);
                                }
                            },
                            () -> false);
                } catch (DecodeException e) {
                    throw new IllegalStateException(e);
                }
            });
            // The receiver binds when it opens: send until it has decoded frames, then go silent, mid-stream.
            SyntheticVideo video =
                    new SyntheticVideo(64, 48, 10, Integer.MAX_VALUE, "mpegts", avcodec.AV_CODEC_ID_MPEG4, 10, false);
            SyntheticVideo.Writer writer = video.streamTo(datagrams(socket, port));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            for (long n = 0; decoded.get() < 10 && !pass.isDone() && System.nanoTime() < deadline; n++) {
                writer.write(n);
                Thread.sleep(100);
            }
            assertTrue(
                    decoded.get() >= 10,
                    "the stream was decoded before it stalled: " + decoded.get() + " frames; the decode pass "
                            + (pass.isDone()
                                    ? "had already ended: "
                                            + pass.handle((s, e) -> e != null ? e : s)
                                                    .join()
                                    : "was still running"));
            long stalled = System.nanoTime();

            DecodeSummary summary = pass.get(60, TimeUnit.SECONDS); // generous: the read timeout is 5 s
            System.out.println("StalledUdpStreamTest: decode ended "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stalled) + " ms after the sender went silent"
                    + " (read timeout " + READ_TIMEOUT.toMillis() + " ms), " + decoded.get() + " frames decoded");
            assertFalse(summary.stopped(), "it ended on its own, not by a stop request");
            assertTrue(summary.decodedFrames() >= 10, summary.toString());
        }
    }

    /** Sends what is written as datagrams of seven TS packets, as cameras and FFmpeg do. */
    private static OutputStream datagrams(DatagramSocket socket, int port) {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        return new OutputStream() {
            private final byte[] buffer = new byte[DATAGRAM];
            private int filled;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) throws IOException {
                for (int i = 0; i < length; i++) {
                    buffer[filled++] = bytes[offset + i];
                    if (filled == DATAGRAM) {
                        socket.send(new DatagramPacket(buffer, DATAGRAM, loopback, port));
                        filled = 0;
                    }
                }
            }
        };
    }
}
