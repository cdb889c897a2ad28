package io.clip4stream.ingest;

import io.clip4stream.ingest.decode.SyntheticVideo;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.bytedeco.ffmpeg.global.avcodec;

/**
 * A fake camera: one encoder produces a live MPEG-TS (MPEG-4 video, headers repeated at every key frame) at real time, and every TCP client receives the stream
 * from the moment it connects, as from a real live source (a new client waits for the next key frame).
 */
final class LiveTsServer implements AutoCloseable {
    private final ServerSocket server;
    private final List<Socket> clients = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final Thread encoder;
    private volatile boolean open = true;

    LiveTsServer(int width, int height, double fps) throws IOException {
        this.server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        SyntheticVideo video = new SyntheticVideo(
                width,
                height,
                fps,
                Integer.MAX_VALUE,
                "mpegts",
                avcodec.AV_CODEC_ID_MPEG4,
                (int) Math.ceil(fps),
                false);
        Thread acceptor = new Thread(this::accept, "live-ts-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        encoder = new Thread(() -> encode(video), "live-ts-encoder");
        encoder.setDaemon(true);
        encoder.start();
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
                clients.add(server.accept());
                connections.incrementAndGet();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void encode(SyntheticVideo video) {
        OutputStream fanOut = new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) {
                for (Socket client : clients) {
                    try {
                        client.getOutputStream().write(bytes, offset, length);
                    } catch (IOException e) {
                        clients.remove(client); // the client went away: normal for a live stream
                    }
                }
            }
        };
        long start = System.nanoTime();
        long frameNanos = (long) (1e9 / video.fps());
        try (SyntheticVideo.Writer writer = video.streamTo(fanOut)) {
            for (long n = 0; open; n++) {
                writer.write(n);
                long wait = start + (n + 1) * frameNanos - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws IOException {
        open = false;
        server.close();
        for (Socket client : clients) {
            client.close();
        }
        try {
            encoder.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
