package io.clip4stream.query.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Looking up example clips on every index instance: in parallel, united, and never "not found" after a failure. */
class ClipLookupTest {
    private static final IndexInstance A = new IndexInstance(URI.create("http://a:8083"), List.of(0));
    private static final IndexInstance B = new IndexInstance(URI.create("http://b:8083"), List.of(1));
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @Test
    void asksEveryInstanceAtOnce() {
        // A answers only once B has been asked: one instance after the other would never get to B.
        CountDownLatch bAsked = new CountDownLatch(1);
        FakeShards shards = new FakeShards((instance, example) -> {
            if (instance.equals(A)) {
                awaitOrFail(bAsked);
                return clips(false, clip("c1", "v1"));
            }
            bAsked.countDown();
            return clips(false, clip("c2", "v1"));
        });
        FakeDirectory directory = new FakeDirectory(A, B);

        ClipLookup.Found found = new ClipLookup(directory, shards, TIMEOUT).find(ClipExample.clip("c1"), "v1");

        assertEquals(
                List.of("c1", "c2"),
                found.clips().stream().map(IndexWire.StoredClip::clipId).toList());
        assertEquals(0, directory.invalidations.get());
    }

    @Test
    void unitesTheAnswersInTheDirectorysOrderAndKeepsOneCopyPerModelVersion() {
        FakeShards shards = new FakeShards((instance, example) -> instance.equals(A)
                ? clips(false, clip("c1", "v1"), clip("c1", "v2"))
                : clips(true, clip("c1", "v1"), clip("c3", "v1")));

        ClipLookup.Found found =
                new ClipLookup(new FakeDirectory(A, B), shards, TIMEOUT).find(ClipExample.range("s", 0L, 10L), "v1");

        assertEquals(
                List.of("c1/v1", "c1/v2", "c3/v1"),
                found.clips().stream()
                        .map(c -> c.clipId() + "/" + c.modelVersion())
                        .toList());
        assertTrue(found.truncated(), "B held more clips in the range than it returned");
    }

    @Test
    void anInstanceThatFailsFailsTheLookupAndTheDirectoryLooksAgain() {
        ShardException down = new ShardException("b is down");
        FakeShards shards = new FakeShards((instance, example) -> {
            if (instance.equals(B)) {
                throw down;
            }
            return clips(false);
        });
        FakeDirectory directory = new FakeDirectory(A, B);

        ShardException thrown = assertThrows(
                ShardException.class,
                () -> new ClipLookup(directory, shards, TIMEOUT).find(ClipExample.clip("c1"), "v1"));

        assertSame(down, thrown);
        assertEquals(1, directory.invalidations.get());
    }

    @Test
    void anUnexpectedFailureIsAShardFailureWithItsCause() {
        IllegalStateException bug = new IllegalStateException("unreadable answer");
        FakeShards shards = new FakeShards((instance, example) -> {
            throw bug;
        });

        ShardException thrown = assertThrows(
                ShardException.class,
                () -> new ClipLookup(new FakeDirectory(A), shards, TIMEOUT).find(ClipExample.clip("c1"), "v1"));

        assertSame(bug, thrown.getCause());
    }

    @Test
    void noInstanceOrAnUnservedPartitionIsRefusedBeforeAsking() {
        FakeShards shards = new FakeShards((instance, example) -> {
            throw new AssertionError("nobody should be asked");
        });

        assertThrows(
                ShardException.class,
                () -> new ClipLookup(new FakeDirectory(), shards, TIMEOUT).find(ClipExample.clip("c1"), "v1"));
        FakeDirectory unserved = new FakeDirectory(new ShardLayout(List.of(A), List.of(1)));
        ShardException thrown = assertThrows(
                ShardException.class,
                () -> new ClipLookup(unserved, shards, TIMEOUT).find(ClipExample.clip("c1"), "v1"));
        assertTrue(thrown.getMessage().contains("[1]"), thrown.getMessage());
    }

    private static void awaitOrFail(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new ShardException("the other instance was never asked while this one waited");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ShardException("interrupted", e);
        }
    }

    private static IndexWire.Clips clips(boolean truncated, IndexWire.StoredClip... clips) {
        return new IndexWire.Clips("fake", List.of(), List.of(clips), truncated);
    }

    private static IndexWire.StoredClip clip(String clipId, String modelVersion) {
        return new IndexWire.StoredClip(
                clipId, "s", 0, 0, 12_000_000, "t", List.of(), modelVersion, new float[] {1f, 0f}, null);
    }

    private interface ClipAnswers {
        IndexWire.Clips answer(IndexInstance instance, ClipExample example);
    }

    /** Answers clip lookups from a function; the search calls are not part of a lookup. */
    private record FakeShards(ClipAnswers answers) implements ShardClient {
        @Override
        public IndexWire.Clips clips(
                IndexInstance instance, ClipExample example, String modelVersion, Duration timeout) {
            return answers.answer(instance, example);
        }

        @Override
        public ShardAnswer candidates(IndexInstance instance, CandidateQuery query, Duration timeout) {
            throw new UnsupportedOperationException("not a lookup call");
        }

        @Override
        public Map<String, Long> searchableUpTo(IndexInstance instance, Duration timeout) {
            throw new UnsupportedOperationException("not a lookup call");
        }

        @Override
        public Map<String, float[][]> frames(
                IndexInstance instance, List<String> clipIds, String modelVersion, Duration timeout) {
            throw new UnsupportedOperationException("not a lookup call");
        }
    }

    /** A fixed layout that counts how often it was told to look again. */
    private static final class FakeDirectory implements ShardDirectory {
        private final ShardLayout layout;
        private final AtomicInteger invalidations = new AtomicInteger();

        FakeDirectory(IndexInstance... instances) {
            this(new ShardLayout(List.of(instances), List.of()));
        }

        FakeDirectory(ShardLayout layout) {
            this.layout = layout;
        }

        @Override
        public ShardLayout layout() {
            return layout;
        }

        @Override
        public void invalidate() {
            invalidations.incrementAndGet();
        }
    }
}
