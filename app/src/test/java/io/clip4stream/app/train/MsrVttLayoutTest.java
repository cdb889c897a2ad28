package io.clip4stream.app.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The original code's MSR-VTT files, in miniature. */
class MsrVttLayoutTest {

    @TempDir
    Path dir;

    private void layout() throws IOException {
        Path videos = dir.resolve("videos");
        Files.createDirectories(videos);
        for (int i = 0; i < 4; i++) {
            ColouredClips.writeVideo(videos.resolve("video" + i + ".mp4"), Color.RED, 2, i);
        }
        Files.writeString(dir.resolve(MsrVttLayout.DATA_JSON), """
                {"videos": [], "sentences": [
                  {"video_id": "video0", "caption": "a man sings", "sen_id": 0},
                  {"video_id": "video0", "caption": "someone is singing", "sen_id": 1},
                  {"video_id": "video1", "caption": "a cat plays", "sen_id": 2},
                  {"video_id": "video2", "caption": "cars race", "sen_id": 3},
                  {"video_id": "video3", "caption": "a chef cooks", "sen_id": 4}
                ]}""");
        Files.writeString(dir.resolve(MsrVttLayout.TRAIN_CSV), "video_id\nvideo0\nvideo1\n");
        Files.writeString(
                dir.resolve(MsrVttLayout.TEST_CSV),
                "key,vid_key,video_id,sentence\nret0,msr2,video2,\"cars race, fast\"\nret1,msr3,video3,a chef cooks\n");
    }

    @Test
    void readsTheTrainingSplitWithEveryCaptionAndTheTestPairs() throws IOException {
        layout();
        assertTrue(MsrVttLayout.recognises(dir));
        List<CaptionedClip> train = TrainingData.read(dir, "train");
        assertEquals(
                List.of("video0", "video1"),
                train.stream().map(CaptionedClip::id).toList());
        assertEquals(List.of("a man sings", "someone is singing"), train.get(0).captions());
        assertEquals(dir.resolve("videos/video0.mp4"), train.get(0).video());

        List<CaptionedClip> test = TrainingData.read(dir, "test");
        assertEquals(
                List.of("video2", "video3"),
                test.stream().map(CaptionedClip::id).toList());
        assertEquals(List.of("cars race, fast"), test.get(0).captions());
    }

    @Test
    void aMissingVideoOrCaptionIsOneClearError() throws IOException {
        layout();
        Files.delete(dir.resolve("videos/video1.mp4"));
        TrainingDataException missing =
                assertThrows(TrainingDataException.class, () -> TrainingData.read(dir, "train"));
        assertTrue(missing.getMessage().contains("video1 is missing"), missing.getMessage());

        Files.writeString(dir.resolve(MsrVttLayout.TRAIN_CSV), "video_id\nvideo0\nvideo9\n");
        TrainingDataException noCaption =
                assertThrows(TrainingDataException.class, () -> TrainingData.read(dir, "train"));
        assertTrue(noCaption.getMessage().contains("no caption for training video video9"), noCaption.getMessage());
        assertThrows(TrainingDataException.class, () -> TrainingData.read(dir, "val"));
    }
}
