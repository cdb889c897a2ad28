package io.clip4stream.schemas.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.clip4stream.schemas.avro.FrameStreamRecord;
import io.clip4stream.schemas.avro.SampledFrame;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

/**
 * {@code reencodeFor} was added to the frame stream's records with a default: frames written before it (still in the
 * topic after an upgrade) are read through the shipped history as a source's own stream.
 */
class FrameStreamHistoryTest {

    @Test
    void framesWrittenBeforeReencodeForExistedAreTheSourcesOwnStream() throws Exception {
        List<Schema> history = SchemaHistory.load(
                FrameStreamRecord.getClassSchema().getFullName(), getClass().getClassLoader());
        assertEquals(1, history.size());
        Schema v1 = history.get(0);
        Schema frame = v1.getField("payload").schema().getTypes().stream()
                .filter(s -> s.getName().equals("SampledFrame"))
                .findFirst()
                .orElseThrow();
        assertNull(frame.getField("reencodeFor"), "v1 is the schema from before the field");
        GenericRecord old = new GenericData.Record(frame);
        old.put("sourceId", "up-1");
        old.put("clipIndex", 0L);
        old.put("frameIndex", 2L);
        old.put("presentationTimeMicros", 2_000_000L);
        old.put("width", 1);
        old.put("height", 1);
        old.put("pixels", ByteBuffer.wrap(new byte[] {1, 2, 3}));
        GenericRecord wrapper = new GenericData.Record(v1);
        wrapper.put("payload", old);
        byte[] written = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1)
                .encode(wrapper)
                .array();

        SampledFrame read = (SampledFrame)
                AvroSerde.of(FrameStreamRecord.class).decode(written).getPayload();

        assertEquals(2L, read.getFrameIndex());
        assertNull(read.getReencodeFor());
    }
}
