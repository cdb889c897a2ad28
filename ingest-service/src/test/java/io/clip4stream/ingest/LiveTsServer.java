package io.clip4stream.ingest;

import io.clip4stream.ingest.decode.SyntheticVideo;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;
import org.bytedeco.ffmpeg.global.avcodec;

/**
 * A fake camera: a TCP server that streams a live MPEG-TS (H.264) to every client, paced at real time, the picture
 * continuing from the server's clock like a real live source.
 */
final class LiveTsServer implements AutoCloseable {
    private final ServerSocket server;
    private final SyntheticVideo video;
    private final long startNanos = System.nanoTime();
    private final AtomicInteger connections = new AtomicInteger();
    private volatile boolean open = true;

    LiveTsServer(int width, int height, double fps) throws IOException {
        this.server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        this.video = new SyntheticVideo(
                width, height, fps, Integer.MAX_VALUE, "mpegts", avcodec.AV_CODEC_ID_H264, (int) Math.ceil(fps), false);
        Thread acceptor = new Thread(this::accept, "live-ts-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    String url() {
        return "tcp://127.0.0.1:" + server.getLocalPort();
    }

    int connections() {
        return connections.get();
    }

    private void accept() {
        while (open) {
            try {
                Socket client = server.accept();
                connections.incrementAndGet();
                Thread t = new Thread(() -> stream(client), "live-ts-client");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (open) {
                    throw new UncheckedIOException("live server accept failed", e);
                }
            }
        }
    }

    private void stream(Socket client) {
        try (client;
                OutputStream out = client.getOutputStream();
                SyntheticVideo.Writer writer = video.streamTo(out)) {
            long frameNanos = (long) (1e9 / video.fps());
            long n = (System.nanoTime() - startNanos) / frameNanos;
            while (open && !client.isClosed()) {
                writer.write(n++);
                out.flush();
                long due = startNanos + n * frameNanos;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // the client went away: a normal end for a live stream
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws IOException {
        open = false;
        server.close();
    }
}
