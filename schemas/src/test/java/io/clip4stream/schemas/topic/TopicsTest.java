package io.clip4stream.schemas.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TopicsTest {

    @Test
    void shouldPrefixEveryNameAndKeepNamesDistinct() {
        Topics topics = Topics.withPrefix("tenant-a.", 3);
        Set<String> names = new HashSet<>();
        for (Topic<String, ?> topic : topics.all()) {
            assertTrue(topic.name().startsWith("tenant-a."), topic.name());
            assertEquals(topic == topics.models() ? 1 : 3, topic.partitions(), topic.name());
            names.add(topic.name());
        }
        assertEquals(topics.all().size(), names.size());
        assertEquals(10, names.size());
    }

    @Test
    void shouldCompactStateTopicsAndExpireEventTopics() {
        Topics topics = Topics.defaults();
        for (Topic<String, ?> state : List.of(
                topics.sources(),
                topics.ingestStatus(),
                topics.sourceDeletions(),
                topics.clipVectors(),
                topics.models(),
                topics.captions())) {
            assertEquals(CleanupPolicy.COMPACT, state.cleanup(), state.name());
            assertEquals("-1", state.configs().get("retention.ms"), state.name());
        }
        for (Topic<String, ?> events :
                List.of(topics.ingestRequests(), topics.frames(), topics.frameEmbeddings(), topics.errors())) {
            assertEquals(CleanupPolicy.DELETE, events.cleanup(), events.name());
            assertTrue(Long.parseLong(events.configs().get("retention.ms")) > 0, events.name());
        }
        assertEquals("86400000", topics.frames().configs().get("retention.ms"));
    }

    @Test
    void shouldRejectIllegalNamesAndPartitionCounts() {
        Topic<String, ?> frames = Topics.defaults().frames();
        assertThrows(IllegalArgumentException.class, () -> frames.withPartitions(0));
        assertThrows(IllegalArgumentException.class, () -> Topics.withPrefix("bad prefix/", 1));
    }
}
