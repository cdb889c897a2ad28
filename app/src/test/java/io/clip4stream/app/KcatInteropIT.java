package io.clip4stream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.app.cli.TinyModel;
import io.clip4stream.schemas.avro.IngestRequest;
import io.clip4stream.schemas.avro.IngestState;
import io.clip4stream.schemas.avro.IngestStatus;
import io.clip4stream.schemas.avro.SourceKind;
import io.clip4stream.schemas.topic.Topics;
import io.clip4stream.testkit.RequiredTool;
import io.clip4stream.testkit.TopicReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Any Kafka client can drive Clip4Stream: {@code kcat} produces an ingest request (Avro single-object bytes written by
 * this test) and consumes the status topic. Skipped where {@code kcat} is not installed, a failure where tools are required
 * ({@link RequiredTool}; {@code .ci/run} installs it).
 */
class KcatInteropIT {
    @TempDir
    Path dir;

    @Test
    void shouldIngestARequestProducedByKcatAndServeStatusToKcat() throws Exception {
        RequiredTool.KCAT.require(Files.isExecutable(Path.of("/usr/bin/kcat")));
        Path modelDir = TinyModel.ensure(dir.resolve("model"));
        try (AllInOne all =
                new AllInOne(new AllInOne.Options(0, dir.resolve("data"), modelDir, 1, 1), Map.of(), s -> {}).start()) {
            Path video = SampleVideos.write(all.mediaDir()).getFirst();
            Topics topics = Topics.defaults();
            IngestRequest request = IngestRequest.newBuilder()
                    .setRequestId("kcat-1")
                    .setSourceId("from-kcat")
                    .setKind(SourceKind.URL)
                    .setUri(video.toString())
                    .setRequestedAtMillis(System.currentTimeMillis())
                    .build();
            Path message = dir.resolve("request.bin");
            Files.write(
                    message, topics.ingestRequests().valueSerde().serializer().serialize("x", request));

            // One file argument = one message: the bytes arrive exactly as written.
            Process produce = new ProcessBuilder(
                            "/usr/bin/kcat",
                            "-b",
                            all.bootstrapServers(),
                            "-P",
                            "-t",
                            topics.ingestRequests().name(),
                            "-k",
                            "from-kcat",
                            message.toString())
                    .redirectErrorStream(true)
                    .start();
            assertTrue(produce.waitFor(60, TimeUnit.SECONDS));
            assertEquals(
                    0, produce.exitValue(), new String(produce.getInputStream().readAllBytes()));

            IngestStatus done = awaitDone(all, topics);
            assertEquals(IngestState.DONE, done.getState(), String.valueOf(done));
            assertTrue(done.getClipsEmitted() > 0);

            Process consume = new ProcessBuilder(
                            "/usr/bin/kcat",
                            "-b",
                            all.bootstrapServers(),
                            "-C",
                            "-t",
                            topics.ingestStatus().name(),
                            "-o",
                            "beginning",
                            "-e",
                            "-f",
                            "%k %S\\n")
                    .redirectErrorStream(false)
                    .start();
            assertTrue(consume.waitFor(60, TimeUnit.SECONDS));
            String listed = new String(consume.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(listed.lines().anyMatch(line -> line.startsWith("from-kcat ")), listed);
        }
    }

    private static IngestStatus awaitDone(AllInOne all, Topics topics) {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        TopicReader reader = new TopicReader(all.bootstrapServers());
        IngestStatus last = null;
        while (System.nanoTime() < deadline) {
            List<ConsumerRecord<String, IngestStatus>> statuses =
                    reader.readAtLeast(topics.ingestStatus(), Integer.MAX_VALUE, Duration.ofSeconds(3));
            for (var record : statuses) {
                if ("from-kcat".equals(record.key())) {
                    last = record.value();
                }
            }
            if (last != null && (last.getState() == IngestState.DONE || last.getState() == IngestState.FAILED)) {
                return last;
            }
        }
        throw new AssertionError("No final status for the kcat request; last: " + last);
    }
}
