package io.clip4stream.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.schemas.avro.ClipBoundary;
import io.clip4stream.schemas.avro.SampledFrame;
import io.clip4stream.schemas.topic.Topics;
import io.clip4stream.testkit.EmbeddedKafka;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two ingest instances share a live source through the registry's consumer group; when the one running it stops,
 * the other takes it over and continues with the next clip after the last committed one: no clip or clip id appears
 * twice downstream and none is skipped; only the frames of the clip open at the failover (committed as they came) are
 * sent again under their indexes.
 */
class LiveFailoverIT {
    @RegisterExtension
    static final EmbeddedKafka KAFKA = EmbeddedKafka.singleNode();

    @Test
    void theSurvivorResumesAfterTheLastCommittedClip() throws Exception {
        Path dir = Files.createTempDirectory("ingest-failover");
        Path root = Files.createDirectories(dir.resolve("media"));
        String prefix = "fo" + UUID.randomUUID().toString().substring(0, 6) + ".";
        IngestConfig a = IngestServiceIT.config(KAFKA.bootstrapServers(), prefix, root, dir.resolve("up-a"), "fo-a");
        IngestConfig b = IngestServiceIT.config(KAFKA.bootstrapServers(), prefix, root, dir.resolve("up-b"), "fo-b");
        Topics topics = a.topics();
        try (LiveTsServer camera = new LiveTsServer(64, 48, 10);
                IngestService first = new IngestService(a);
                IngestService second = new IngestService(b)) {
            first.start();
            second.start();
            HttpResponse<String> response =
                    IngestServiceIT.register(first.httpUri(), Map.of("sourceId", "cam-fo", "uri", camera.url()));
            assertEquals(202, response.statusCode(), response.body());
            SourceStream before = SourceStream.read(
                    KAFKA.bootstrapServers(),
                    topics.frames(),
                    "cam-fo",
                    s -> s.boundaries().size() >= 2,
                    Duration.ofSeconds(60));
            assertTrue(
                    before.boundaries().size() >= 2,
                    "clips before failover: " + before.boundaries().size());
            IngestService owner = first.isRunning("cam-fo") ? first : second;
            IngestService survivor = owner == first ? second : first;
            owner.close();
            int committedBefore = SourceStream.read(
                            KAFKA.bootstrapServers(), topics.frames(), "cam-fo", s -> false, Duration.ofSeconds(2))
                    .boundaries()
                    .size();
            SourceStream after = SourceStream.read(
                    KAFKA.bootstrapServers(),
                    topics.frames(),
                    "cam-fo",
                    s -> s.boundaries().size() >= committedBefore + 3,
                    Duration.ofSeconds(90));
            assertTrue(survivor.isRunning("cam-fo"), "the survivor runs the source");
            List<ClipBoundary> clips = after.boundaries();
            assertTrue(clips.size() >= committedBefore + 3, "clips after failover: " + clips.size());
            Set<String> ids = new HashSet<>();
            long expectedFirstFrame = 0;
            long lastEnd = 0;
            for (int i = 0; i < clips.size(); i++) {
                ClipBoundary clip = clips.get(i);
                assertEquals(i, clip.getClipIndex(), "clip indices are contiguous");
                assertTrue(ids.add(clip.getClipId()), "clip id " + clip.getClipId() + " appears once");
                assertEquals(expectedFirstFrame, clip.getFirstFrameIndex(), "clip " + i + " starts after the last");
                assertTrue(clip.getStartTimeMicros() >= lastEnd - 1, "time keeps going forward at clip " + i);
                expectedFirstFrame += clip.getFrameCount();
                lastEnd = clip.getEndTimeMicros();
            }
            List<Long> frameIndices =
                    after.frames().stream().map(SampledFrame::getFrameIndex).toList();
            List<Long> distinct = frameIndices.stream().distinct().sorted().toList();
            for (int i = 0; i < distinct.size(); i++) {
                assertEquals(i, distinct.get(i), "frame indices are contiguous");
            }
            // A live source commits its open clip's frames as they come; the survivor starts after the last closed
            // clip and sends that clip's frame indexes again (the index keeps the newer copy of each). Nothing
            // before that clip repeats.
            long firstOpenFrame = 0;
            for (int i = 0; i < committedBefore; i++) {
                firstOpenFrame += clips.get(i).getFrameCount();
            }
            Set<Long> seen = new HashSet<>();
            for (long index : frameIndices) {
                if (!seen.add(index)) {
                    assertTrue(
                            index >= firstOpenFrame,
                            "frame " + index + " repeats, but only the clip open at the failover (from frame "
                                    + firstOpenFrame + ") may");
                }
            }
        }
    }
}
