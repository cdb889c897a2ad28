package io.clip4stream.app.demo;

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
 *
 * <p>Paced per frame: at each frame's time the camera sends that frame's bytes at once (their offsets are taken while
 * rendering with a zero-latency encoder that flushes every packet), as a camera sends a frame right after capturing
 * it, so frame {@code n} leaves at {@link #sendStartNanos()} + n / (fps × speed).
 * {@code bench freshness --live --pipeline} takes that as the frame's event time.
 */
public final class LiveDemoCamera implements AutoCloseable {

    private final ServerSocket server;
    private final byte[] stream;
    private final long[] frameEnds;
    private final long framePeriodNanos;
    private final int fps;
    private final List<Socket> clients = new CopyOnWriteArrayList<>();
    private final Thread acceptor;
    private volatile boolean open = true;
    private volatile boolean sent;
    private volatile long sendStartNanos = -1;

    /** Renders {@code scenes} at {@code fps} into {@code work} and starts listening. */
    public LiveDemoCamera(List<Scene> scenes, int fps, double speed, Path work) throws IOException {
        Path ts = work.resolve("live.ts");
        frameEnds = render(scenes, fps, ts);
        stream = Files.readAllBytes(ts);
        framePeriodNanos = (long) (1e9 / (fps * speed));
        this.fps = fps;
        server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::accept, "live-demo-camera");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** The {@code tcp://} URL a live source reads. */
    public String url() {
        return "tcp://127.0.0.1:" + server.getLocalPort();
    }

    /** Whether the whole stream went out to a client. */
    public boolean sent() {
        return sent;
    }

    /** Renders the stream into {@code file}; returns the byte offset where each frame's data ends. */
    private static long[] render(List<Scene> scenes, int fps, Path file) throws IOException {
        avutil.av_log_set_level(avutil.AV_LOG_ERROR);
        SceneRenderer renderer = new SceneRenderer(DemoVideos.SIZE, DemoVideos.SIZE);
        Random noise = new Random(DemoWorld.DEFAULT_SEED);
        int framesPerScene = DemoWorld.SCENE_SECONDS * fps;
        long[] ends = new long[scenes.size() * framesPerScene];
        int frame = 0;
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
            // Each frame leaves the encoder and the muxer as it is recorded (no lookahead, no buffered packets), so
            // the file's size after a frame is where that frame ends.
            recorder.setVideoOption("tune", "zerolatency");
            recorder.setOption("flush_packets", "1");
            recorder.start();
            for (Scene scene : scenes) {
                for (int n = 0; n < framesPerScene; n++) {
                    double progress = (double) n / (framesPerScene - 1);
                    recorder.record(converter.convert(renderer.render(scene, progress, noise)));
                    ends[frame++] = Files.size(file);
                }
            }
            recorder.stop();
            return ends;
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

    /** When the first frame went out ({@link System#nanoTime}), or -1 before a client connected. */
    public long sendStartNanos() {
        return sendStartNanos;
    }

    private void send(Socket client) {
        long start = System.nanoTime();
        sendStartNanos = start;
        try {
            OutputStream out = client.getOutputStream();
            int from = 0;
            for (int frame = 0; frame < frameEnds.length && open; frame++) {
                long due = start + frame * framePeriodNanos;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                // The stream's trailer goes out with the last frame.
                int to = frame == frameEnds.length - 1 ? stream.length : (int) frameEnds[frame];
                if (to > from) {
                    out.write(stream, from, to - from);
                    out.flush();
                    from = to;
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

    /** The frame rate the stream was rendered at. */
    public int fps() {
        return fps;
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
