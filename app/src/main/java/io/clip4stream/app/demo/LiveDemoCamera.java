package io.clip4stream.app;

import io.clip4stream.app.demo.DemoVideos;
import io.clip4stream.app.demo.DemoWorld;
import io.clip4stream.app.demo.Scene;
import io.clip4stream.app.demo.SceneRenderer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Java2DFrameConverter;

/**
 * A fake live camera on loopback TCP: demo-world scenes rendered back to back as one MPEG-TS stream, sent to the first
 * client paced at {@code speed} times real time, then held open without an end (a camera that stays connected); a
 * client that reconnects gets a silent connection, as from a camera past its recording. The ingest service reads it
 * as a {@code LIVE} source ({@code tcp://}), the way its live-source tests read {@code LiveTsServer}.
 */
final class LiveDemoCamera implements AutoCloseable {
    private static final int CHUNK = 7 * 188;

    private final ServerSocket server;
    private final byte[] stream;
    private final double bytesPerSecond;
    private final List<Socket> clients = new CopyOnWriteArrayList<>();
    private final Thread acceptor;
    private volatile boolean open = true;
    private volatile boolean sent;

    /** Renders {@code scenes} at {@code fps} into {@code work} and starts listening. */
    LiveDemoCamera(List<Scene> scenes, int fps, double speed, Path work) throws IOException {
        Path ts = work.resolve("live.ts");
        render(scenes, fps, ts);
        stream = Files.readAllBytes(ts);
        double seconds = (double) scenes.size() * DemoWorld.SCENE_SECONDS;
        bytesPerSecond = stream.length / seconds * speed;
        server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::accept, "live-demo-camera");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    String url() {
        return "tcp://127.0.0.1:" + server.getLocalPort();
    }

    /** Whether the whole stream went out to a client. */
    boolean sent() {
        return sent;
    }

    private static void render(List<Scene> scenes, int fps, Path file) throws IOException {
        avutil.av_log_set_level(avutil.AV_LOG_ERROR);
        SceneRenderer renderer = new SceneRenderer(DemoVideos.SIZE, DemoVideos.SIZE);
        Random noise = new Random(DemoWorld.DEFAULT_SEED);
        int framesPerScene = DemoWorld.SCENE_SECONDS * fps;
        try (FFmpegFrameRecorder recorder =
                        new FFmpegFrameRecorder(file.toFile(), DemoVideos.SIZE, DemoVideos.SIZE, 0);
                Java2DFrameConverter converter = new Java2DFrameConverter()) {
            recorder.setFormat("mpegts");
            recorder.setVideoCodec(avcodec.AV_CODEC_ID_H264);
            recorder.setFrameRate(fps);
            recorder.setGopSize(fps);
            recorder.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
            recorder.setVideoOption("preset", "veryfast");
            recorder.setVideoOption("crf", "20");
            recorder.start();
            for (Scene scene : scenes) {
                for (int n = 0; n < framesPerScene; n++) {
                    double progress = (double) n / (framesPerScene - 1);
                    recorder.record(converter.convert(renderer.render(scene, progress, noise)));
                }
            }
            recorder.stop();
        } catch (FFmpegFrameRecorder.Exception e) {
            throw new IOException("cannot render the live demo stream: " + e.getMessage(), e);
        }
    }

    private void accept() {
        boolean first = true;
        while (open) {
            try {
                Socket client = server.accept();
                clients.add(client);
                if (first) {
                    first = false;
                    Thread sender = new Thread(() -> send(client), "live-demo-camera-send");
                    sender.setDaemon(true);
                    sender.start();
                }
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void send(Socket client) {
        long start = System.nanoTime();
        try {
            OutputStream out = client.getOutputStream();
            for (int offset = 0; offset < stream.length && open; offset += CHUNK) {
                out.write(stream, offset, Math.min(CHUNK, stream.length - offset));
                long due = start + (long) ((offset + CHUNK) / bytesPerSecond * 1e9);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
            out.flush();
            sent = true;
            // Not closed: a live camera does not end its stream; the connection just goes quiet.
        } catch (IOException e) {
            // The reader went away (source deleted, test over).
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
    }
}
