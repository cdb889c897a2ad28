package io.clip4stream.ingest.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.ingest.plan.FrameSampler;
import io.clip4stream.model.preprocess.Orientation;
import io.clip4stream.model.preprocess.RgbImage;
import io.clip4stream.testkit.RequiredTool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bytedeco.ffmpeg.global.avcodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Videos with a display rotation (portrait phone video is stored as landscape pictures and a "turn a quarter"
 * matrix) are decoded upright, as players, browsers and the {@code ffmpeg} command show them.
 */
class RotatedVideoTest {
    // MPEG-4 part 2: FFmpeg's own encoder, so the same frames give the same bitstream with or without the matrix.
    private static final SyntheticVideo VIDEO =
            new SyntheticVideo(64, 48, 10, 20, "mp4", avcodec.AV_CODEC_ID_MPEG4, 10, false);
    private static final int WHITE = 200;

    @TempDir
    Path dir;

    @Test
    void everyQuarterTurnIsDecodedAsTheStoredPicturesTurned() throws Exception {
        Path stored = dir.resolve("stored.mp4");
        VIDEO.writeTo(stored);
        List<RgbImage> asStored = decode(stored);
        for (double degrees : new double[] {-90, 90, 180}) {
            Path turned = dir.resolve("turned" + (int) degrees + ".mp4");
            VIDEO.writeTo(turned, degrees);
            // ffprobe's rotation: counterclockwise degrees.
            Orientation rotation = degrees == 90
                    ? Orientation.COUNTERCLOCKWISE
                    : degrees == -90 ? Orientation.CLOCKWISE : Orientation.UPSIDE_DOWN;

            List<RgbImage> upright = decode(turned);

            assertEquals(asStored.size(), upright.size());
            for (int i = 0; i < upright.size(); i++) {
                assertEquals(rotation.apply(asStored.get(i)), upright.get(i), degrees + " degrees, sample " + i);
            }
            try (VideoDecoder decoder =
                    VideoDecoder.open(new VideoInput.FileInput(turned, false), VideoDecoder.Options.exact())) {
                assertEquals(rotation, decoder.orientation());
                assertEquals(rotation.swapsSides() ? 48 : 64, decoder.width());
                assertEquals(rotation.swapsSides() ? 64 : 48, decoder.height());
            }
        }
    }

    @Test
    void aPhonesPortraitVideoShowsItsLeftEdgeAtTheTop() throws Exception {
        // Frame 0's white square sits at the middle of the stored picture's left edge. A phone held upright records
        // with a display rotation of -90 degrees: a quarter clockwise, so that edge is the top of what is shown.
        Path portrait = dir.resolve("portrait.mp4");
        VIDEO.writeTo(portrait, -90);

        RgbImage first = decode(portrait).getFirst();

        assertEquals(48, first.width());
        assertEquals(64, first.height());
        double[] centre = whiteCentre(first);
        assertTrue(centre[1] < 12, "the square is at the top: centre " + centre[0] + ", " + centre[1]);
        assertTrue(Math.abs(centre[0] - 23.5) < 3, "the square is centred across: " + centre[0]);
    }

    @Test
    void theTurnMatchesTheFfmpegCommand() throws Exception {
        Path portrait = dir.resolve("portrait.mp4");
        VIDEO.writeTo(portrait, -90);
        Path raw = dir.resolve("first.rgb");
        RequiredTool.FFMPEG.require(ffmpegFirstFrame(portrait, raw));
        byte[] reference = Files.readAllBytes(raw);
        RgbImage ours = decode(portrait).getFirst();
        // The other quarter turn, to show the comparison can tell them apart.
        RgbImage wrongWay = Orientation.UPSIDE_DOWN.apply(ours);

        assertEquals(48 * 64 * 3, reference.length, "ffmpeg turned the 64 x 48 pictures upright too");
        double ourDifference = meanAbsoluteDifference(ours.rgb(), reference);
        double wrongDifference = meanAbsoluteDifference(wrongWay.rgb(), reference);
        assertTrue(
                ourDifference < 8 && ourDifference * 4 < wrongDifference,
                "mean difference to ffmpeg " + ourDifference + ", turned the wrong way " + wrongDifference);
    }

    private static List<RgbImage> decode(Path file) throws DecodeException {
        List<RgbImage> images = new ArrayList<>();
        try (VideoDecoder decoder =
                VideoDecoder.open(new VideoInput.FileInput(file, false), VideoDecoder.Options.exact())) {
            decoder.decode(new FrameSampler(1.0), (micros, image) -> images.add(image), () -> false);
        }
        return images;
    }

    /** The centre (x, y) of the white pixels. */
    private static double[] whiteCentre(RgbImage image) {
        double sumX = 0;
        double sumY = 0;
        int count = 0;
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < image.width(); x++) {
                if (image.sample(x, y, 0) > WHITE && image.sample(x, y, 1) > WHITE && image.sample(x, y, 2) > WHITE) {
                    sumX += x;
                    sumY += y;
                    count++;
                }
            }
        }
        assertTrue(count > 50, "the white square is visible: " + count + " white pixels");
        return new double[] {sumX / count, sumY / count};
    }

    private static double meanAbsoluteDifference(byte[] a, byte[] b) {
        long sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += Math.abs((a[i] & 0xFF) - (b[i] & 0xFF));
        }
        return (double) sum / a.length;
    }

    /** Writes the first frame as the ffmpeg command shows it (it turns by the display matrix); false without ffmpeg. */
    private static boolean ffmpegFirstFrame(Path video, Path raw) throws InterruptedException {
        try {
            Process ffmpeg = new ProcessBuilder(
                            "ffmpeg",
                            "-loglevel",
                            "error",
                            "-y",
                            "-i",
                            video.toString(),
                            "-frames:v",
                            "1",
                            "-f",
                            "rawvideo",
                            "-pix_fmt",
                            "rgb24",
                            raw.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!ffmpeg.waitFor(60, TimeUnit.SECONDS)) {
                ffmpeg.destroyForcibly();
                return false;
            }
            return ffmpeg.exitValue() == 0 && Files.size(raw) > 0;
        } catch (IOException e) {
            return false; // no ffmpeg command
        }
    }
}
