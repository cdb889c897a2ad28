package io.clip4stream.schemas.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.schemas.avro.ClipVector;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

/**
 * {@code ClipVector.provisional} was added with a default: clips written before it (in the clip-vectors topic, the
 * clip store's changelog and Lucene documents) are read through the shipped history as final clips.
 */
class ClipVectorHistoryTest {

    @Test
    void clipsWrittenBeforeProvisionalExistedAreReadAsFinal() throws Exception {
        List<Schema> history = SchemaHistory.load(
                ClipVector.getClassSchema().getFullName(), getClass().getClassLoader());
        assertEquals(1, history.size());
        Schema v1 = history.get(0);
        assertNull(v1.getField("provisional"), "v1 is the schema from before the field");
        GenericRecord old = new GenericData.Record(v1);
        old.put("clipId", "cam-1:0");
        old.put("sourceId", "cam-1");
        old.put("clipIndex", 0L);
        old.put("startTimeMicros", 0L);
        old.put("endTimeMicros", 12_000_000L);
        old.put("tenant", "default");
        old.put("tags", List.of());
        old.put("thumbnailJpeg", ByteBuffer.allocate(0));
        old.put("modelId", "m");
        old.put("modelVersion", "v");
        old.put("aggregation", "meanP");
        old.put("vector", List.of(1f, 0f));
        old.put("frameEmbeddings", List.of(List.of(1f, 0f)));
        old.put("indexedAtMillis", 5L);
        byte[] written = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1)
                .encode(old)
                .array();

        ClipVector read = AvroSerde.of(ClipVector.class).decode(written);

        assertEquals("cam-1:0", read.getClipId().toString());
        assertFalse(read.getProvisional());
    }

    @Test
    void provisionalRoundTrips() {
        ClipVector clip = ClipVector.newBuilder()
                .setClipId("cam-1:0")
                .setSourceId("cam-1")
                .setClipIndex(0)
                .setStartTimeMicros(0)
                .setEndTimeMicros(1)
                .setThumbnailJpeg(ByteBuffer.allocate(0))
                .setModelId("m")
                .setModelVersion("v")
                .setAggregation("meanP")
                .setVector(List.of(1f))
                .setFrameEmbeddings(List.of(List.of(1f)))
                .setIndexedAtMillis(1)
                .setProvisional(true)
                .build();
        AvroSerde<ClipVector> serde = AvroSerde.of(ClipVector.class);
        assertTrue(serde.decode(serde.encode(clip)).getProvisional());
    }
}
