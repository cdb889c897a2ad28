package io.clip4stream.ingest.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.ingest.plan.FrameSampler;
import io.clip4stream.model.preprocess.RgbImage;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.bytedeco.ffmpeg.global.avcodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Decoding real (tiny) videos written by {@link SyntheticVideo}, and every kind of bad input. */
class VideoDecoderTest {
    private static final SyntheticVideo VIDEO = SyntheticVideo.h264Mp4(64, 48, 10, 40);

    @TempDir
    Path dir;

    private record Sample(long micros, RgbImage image) {}

    private static List<Sample> decodeAll(VideoInput input, double fps) throws DecodeException {
        List<Sample> samples = new ArrayList<>();
        try (VideoDecoder decoder = VideoDecoder.open(input, VideoDecoder.Options.exact())) {
            decoder.decode(
                    new FrameSampler(fps), (micros, image) -> samples.add(new Sample(micros, image)), () -> false);
        }
        return samples;
    }

    @Test
    void samplesOneFramePerSecondOnPresentationTime() throws Exception {
        Path file = dir.resolve("v.mp4");
        VIDEO.writeTo(file);
        List<Sample> samples = decodeAll(new VideoInput.FileInput(file, false), 1.0);
        assertEquals(4, samples.size());
        for (int k = 0; k < samples.size(); k++) {
            assertEquals(k * 1_000_000L, samples.get(k).micros());
            assertEquals(64, samples.get(k).image().width());
            // frame 10k's background colour: red channel (10k*37)%256 (lossy codec: allow a small error)
            int red = samples.get(k).image().sample(1, 1, 0);
            assertTrue(Math.abs(red - (int) ((10L * k * 37) % 256)) < 12, "red " + red + " at sample " + k);
        }
    }

    @Test
    void reportsDeclaredLengthAndNoTruncationForACompleteFile() throws Exception {
        Path file = dir.resolve("v.mp4");
        VIDEO.writeTo(file);
        try (VideoDecoder decoder =
                VideoDecoder.open(new VideoInput.FileInput(file, false), VideoDecoder.Options.exact())) {
            DecodeSummary summary = decoder.decode(new FrameSampler(2), (m, i) -> {}, () -> false);
            assertEquals(40, summary.decodedFrames());
            assertEquals(8, summary.sampledFrames());
            assertFalse(summary.truncated(), summary.truncation());
            assertEquals(4_000_000L, summary.durationMicros());
        }
    }

    @Test
    void faststartMp4CutInHalfIsTruncatedNotComplete() throws Exception {
        Path file = dir.resolve("fast.mp4");
        VIDEO.withFrames(60).withFaststart(true).writeTo(file);
        byte[] bytes = Files.readAllBytes(file);
        Path cut = dir.resolve("cut.mp4");
        Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        try (VideoDecoder decoder =
                VideoDecoder.open(new VideoInput.FileInput(cut, false), VideoDecoder.Options.exact())) {
            DecodeSummary summary = decoder.decode(new FrameSampler(1), (m, i) -> {}, () -> false);
            assertTrue(summary.truncated(), "summary " + summary);
            assertTrue(summary.decodedFrames() > 0 && summary.decodedFrames() < 60, "summary " + summary);
        }
    }

    @Test
    void mp4WithIndexAtTheEndCutInHalfCannotBeOpened() throws Exception {
        Path file = dir.resolve("v.mp4");
        VIDEO.writeTo(file);
        byte[] bytes = Files.readAllBytes(file);
        Path cut = dir.resolve("cut.mp4");
        Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        DecodeException e =
                assertThrows(DecodeException.class, () -> decodeAll(new VideoInput.FileInput(cut, false), 1));
        assertTrue(e.getMessage().contains("not a video FFmpeg can read"), e.getMessage());
    }

    @Test
    void emptyFileIsRefusedBeforeFfmpeg() throws Exception {
        Path file = Files.createFile(dir.resolve("empty.mp4"));
        DecodeException e =
                assertThrows(DecodeException.class, () -> decodeAll(new VideoInput.FileInput(file, false), 1));
        assertTrue(e.getMessage().contains("empty (0 bytes)"), e.getMessage());
    }

    @Test
    void randomBytesAreNotAVideo() throws Exception {
        byte[] noise = new byte[256 * 1024];
        new Random(7).nextBytes(noise);
        Path file = Files.write(dir.resolve("noise.mp4"), noise);
        DecodeException e =
                assertThrows(DecodeException.class, () -> decodeAll(new VideoInput.FileInput(file, false), 1));
        assertTrue(e.getMessage().contains("not a video"), e.getMessage());
    }

    @Test
    void textFileIsNotAVideo() throws Exception {
        Path file = Files.writeString(dir.resolve("notes.mp4"), "hello, this is not a video\n".repeat(200));
        DecodeException e =
                assertThrows(DecodeException.class, () -> decodeAll(new VideoInput.FileInput(file, false), 1));
        assertTrue(e.getMessage().contains("not a video") || e.getMessage().contains("no video"), e.getMessage());
    }

    @Test
    void textFileNamedTxtIsNotRenderedAsVideo() throws Exception {
        Path file = Files.writeString(dir.resolve("notes.txt"), "hello, this is not a video\n".repeat(200));
        DecodeException e =
                assertThrows(DecodeException.class, () -> decodeAll(new VideoInput.FileInput(file, false), 1));
        assertTrue(e.getMessage().contains("not a video"), e.getMessage());
    }

    @Test
    void unknownCodecInMatroskaIsUnsupported() throws Exception {
        Path file = dir.resolve("v.mkv");
        VIDEO.as("matroska", avcodec.AV_CODEC_ID_MPEG4).writeTo(file);
        byte[] bytes = Files.readAllBytes(file);
        byte[] id = "V_MPEG4/ISO/ASP".getBytes(StandardCharsets.US_ASCII);
        int at = indexOf(bytes, id);
        assertTrue(at >= 0, "codec id present");
        byte[] unknown = "V_ZZZZZ/ISO/ASP".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(unknown, 0, bytes, at, unknown.length);
        Path patched = Files.write(dir.resolve("unknown-codec.mkv"), bytes);
        DecodeException e =
                assertThrows(DecodeException.class, () -> decodeAll(new VideoInput.FileInput(patched, false), 1));
        assertTrue(e.getMessage().contains("codec"), e.getMessage());
    }

    @Test
    void mp4WithIndexAtTheEndOnAStreamThatCannotSeekIsExplained() throws Exception {
        Path file = dir.resolve("v.mp4");
        VIDEO.writeTo(file);
        DecodeException e;
        try (InputStream in = Files.newInputStream(file)) {
            e = assertThrows(DecodeException.class, () -> decodeAll(new VideoInput.StreamInput(in, "v.mp4"), 1));
        }
        assertTrue(e.getMessage().contains("moov"), e.getMessage());
    }

    @Test
    void faststartMp4DecodesFromAStream() throws Exception {
        Path file = dir.resolve("v.mp4");
        VIDEO.withFaststart(true).writeTo(file);
        try (InputStream in = Files.newInputStream(file)) {
            assertEquals(
                    4, decodeAll(new VideoInput.StreamInput(in, "v.mp4"), 1).size());
        }
    }

    @Test
    void mpegTsStartingAtANonZeroTimestampIsSampledFromItsFirstFrame() throws Exception {
        Path file = dir.resolve("v.ts");
        VIDEO.as("mpegts", avcodec.AV_CODEC_ID_H264).writeTo(file);
        List<Sample> samples = decodeAll(new VideoInput.FileInput(file, false), 1.0);
        assertEquals(4, samples.size());
        assertEquals(0L, samples.get(0).micros());
        assertEquals(3_000_000L, samples.get(3).micros());
    }

    @Test
    void missingFileIsReported() {
        DecodeException e = assertThrows(
                DecodeException.class, () -> decodeAll(new VideoInput.FileInput(dir.resolve("nope.mp4"), false), 1));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
