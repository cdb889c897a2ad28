package io.clip4stream.schemas.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.schemas.avro.EmbeddingStreamRecord;
import io.clip4stream.schemas.avro.FrameEmbedding;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

/**
 * {@code FrameEmbedding.reused} was added with a default: embedding-stream records written before it (still in the
 * topic) are read through the shipped history, with {@code reused} false.
 */
class EmbeddingStreamHistoryTest {

    @Test
    void recordsWrittenBeforeReusedExistedAreReadAsNotReused() throws Exception {
        List<Schema> history = SchemaHistory.load(
                EmbeddingStreamRecord.getClassSchema().getFullName(), getClass().getClassLoader());
        assertEquals(2, history.size());
        Schema v1 = history.get(0);
        assertNotEquals(
                SchemaNormalization.parsingFingerprint64(EmbeddingStreamRecord.getClassSchema()),
                SchemaNormalization.parsingFingerprint64(v1));
        Schema frame = v1.getField("payload").schema().getTypes().stream()
                .filter(s -> s.getName().equals("FrameEmbedding"))
                .findFirst()
                .orElseThrow();
        assertEquals(null, frame.getField("reused"), "v1 is the schema from before the field");
        GenericRecord old = new GenericData.Record(frame);
        old.put("sourceId", "cam-1");
        old.put("clipIndex", 3L);
        old.put("frameIndex", 40L);
        old.put("presentationTimeMicros", 40_000_000L);
        old.put("modelId", "m");
        old.put("modelVersion", "v");
        old.put("embedding", List.of(0.5f, -0.5f));
        GenericRecord wrapper = new GenericData.Record(v1);
        wrapper.put("payload", old);
        byte[] written = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1)
                .encode(wrapper)
                .array();

        EmbeddingStreamRecord read = AvroSerde.of(EmbeddingStreamRecord.class).decode(written);

        FrameEmbedding embedding = (FrameEmbedding) read.getPayload();
        assertEquals(40L, embedding.getFrameIndex());
        assertEquals(List.of(0.5f, -0.5f), embedding.getEmbedding());
        assertFalse(embedding.getReused());
    }

    @Test
    void reusedRoundTrips() {
        FrameEmbedding reused = FrameEmbedding.newBuilder()
                .setSourceId("cam-1")
                .setClipIndex(0)
                .setFrameIndex(1)
                .setPresentationTimeMicros(1)
                .setModelId("m")
                .setModelVersion("v")
                .setEmbedding(List.of(1f))
                .setReused(true)
                .build();
        AvroSerde<EmbeddingStreamRecord> serde = AvroSerde.of(EmbeddingStreamRecord.class);
        assertTrue(((FrameEmbedding) serde.decode(serde.encode(new EmbeddingStreamRecord(reused)))
                        .getPayload())
                .getReused());
    }
}
