package io.clip4stream.ingest.media;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.clip4stream.ingest.decode.SyntheticVideo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.bytedeco.ffmpeg.global.avcodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VideoContentTypeTest {
    @TempDir
    Path dir;

    private String sniffFile(Path file) throws Exception {
        byte[] bytes = Files.readAllBytes(file);
        return VideoContentType.sniff(Arrays.copyOf(bytes, Math.min(bytes.length, VideoContentType.HEAD_BYTES)));
    }

    @Test
    void containersWrittenByFfmpegAreRecognised() throws Exception {
        SyntheticVideo video = SyntheticVideo.h264Mp4(64, 48, 10, 10);
        Path mp4 = dir.resolve("a.mp4");
        video.writeTo(mp4);
        assertEquals("video/mp4", sniffFile(mp4));
        Path ts = dir.resolve("a.ts");
        video.as("mpegts", avcodec.AV_CODEC_ID_H264).writeTo(ts);
        assertEquals("video/mp2t", sniffFile(ts));
        Path mkv = dir.resolve("a.mkv");
        video.as("matroska", avcodec.AV_CODEC_ID_H264).writeTo(mkv);
        assertEquals("video/x-matroska", sniffFile(mkv));
    }

    @Test
    void headersOfOtherContainers() {
        assertEquals("video/quicktime", VideoContentType.sniff(ascii("\0\0\0\u0014ftypqt  ")));
        assertEquals(
                "video/webm",
                VideoContentType.sniff(concat(new byte[] {0x1a, 0x45, (byte) 0xdf, (byte) 0xa3}, ascii("....webm"))));
        assertEquals("video/x-msvideo", VideoContentType.sniff(ascii("RIFF\0\0\0\0AVI LIST")));
        assertEquals("video/ogg", VideoContentType.sniff(ascii("OggS\0\2")));
        assertEquals("video/x-flv", VideoContentType.sniff(ascii("FLV\1")));
    }

    @Test
    void anythingElseIsOctetStream() {
        assertEquals(VideoContentType.UNKNOWN, VideoContentType.sniff(new byte[0]));
        assertEquals(VideoContentType.UNKNOWN, VideoContentType.sniff(ascii("<html><body>hi</body></html>")));
        assertEquals(VideoContentType.UNKNOWN, VideoContentType.sniff(new byte[] {0x47, 1, 2}), "one sync byte only");
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
