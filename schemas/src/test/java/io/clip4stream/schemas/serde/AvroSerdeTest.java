package io.clip4stream.schemas.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.schemas.avro.IngestRequest;
import io.clip4stream.schemas.avro.IngestStatus;
import io.clip4stream.schemas.avro.SourceKind;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {

    private static IngestRequest request() {
        return IngestRequest.newBuilder()
                .setRequestId("r-1")
                .setSourceId("cam-7")
                .setKind(SourceKind.LIVE)
                .setUri("rtsp://camera.example/stream")
                .setSamplingFps(2.0)
                .setClipWindowFrames(12)
                .setClipStrideFrames(6)
                .setTenant("acme")
                .setTags(List.of("lobby", "north"))
                .setMetadata(Map.of("floor", "3"))
                .setRequestedAtMillis(1_700_000_000_000L)
                .build();
    }

    @Test
    void shouldRoundTripAndWriteSingleObjectHeader() {
        AvroSerde<IngestRequest> serde = AvroSerde.of(IngestRequest.class);
        byte[] bytes = serde.serializer().serialize("t", request());

        assertEquals((byte) 0xC3, bytes[0]);
        assertEquals((byte) 0x01, bytes[1]);
        long fingerprint = ByteBuffer.wrap(bytes, 2, 8)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .getLong();
        assertEquals(serde.fingerprint(), fingerprint);
        assertEquals(request(), serde.deserializer().deserialize("t", bytes));
    }

    @Test
    void shouldPassTombstonesThrough() {
        AvroSerde<IngestRequest> serde = AvroSerde.of(IngestRequest.class);
        assertNull(serde.serializer().serialize("t", null));
        assertNull(serde.deserializer().deserialize("t", null));
    }

    @Test
    void shouldReadOlderWriterSchemaWithNewOptionalFieldDefaulted() throws Exception {
        Schema v1 = v1Schema();
        GenericRecord old = new GenericData.Record(v1);
        old.put("requestId", "r-0");
        old.put("sourceId", "upload-1");
        old.put("kind", new GenericData.EnumSymbol(v1.getField("kind").schema(), "UPLOAD"));
        old.put("uri", "/videos/a.mp4");
        old.put("samplingFps", 1.0);
        old.put("clipWindowFrames", 12);
        old.put("clipStrideFrames", 12);
        old.put("tenant", "default");
        old.put("tags", List.of());
        old.put("requestedAtMillis", 42L);
        byte[] written = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1)
                .encode(old)
                .array();

        IngestRequest read = AvroSerde.of(IngestRequest.class).decode(written);

        assertEquals("upload-1", read.getSourceId());
        assertEquals(SourceKind.UPLOAD, read.getKind());
        assertEquals(Map.of(), read.getMetadata(), "the field v1 lacks takes its default");
        assertEquals(42L, read.getRequestedAtMillis());
    }

    @Test
    void shouldRejectOlderWriterSchemaThatIsNotInHistoryWithTypedError() throws Exception {
        Schema v1 = v1Schema();
        GenericRecord old = new GenericData.Record(v1);
        v1.getFields()
                .forEach(f -> old.put(
                        f.name(),
                        f.defaultVal() == null ? null : GenericData.get().getDefaultValue(f)));
        old.put("requestId", "r");
        old.put("sourceId", "s");
        old.put("kind", new GenericData.EnumSymbol(v1.getField("kind").schema(), "URL"));
        old.put("uri", "http://x");
        old.put("requestedAtMillis", 1L);
        byte[] written = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1)
                .encode(old)
                .array();
        AvroSerde<IngestRequest> withoutHistory = AvroSerde.withHistory(IngestRequest.class, List.of());

        UnknownSchemaException e = assertThrows(UnknownSchemaException.class, () -> withoutHistory.decode(written));

        assertTrue(e.getMessage().contains("io.clip4stream.schemas.avro.IngestRequest"), e.getMessage());
        assertTrue(e.getMessage().contains(UnknownSchemaException.hex(e.fingerprint())), e.getMessage());
        assertInstanceOf(SerializationException.class, e, "Kafka handlers must see it as a poison record");
    }

    @Test
    void shouldRejectRecordOfAnotherTypeAsUnknownSchema() {
        byte[] status = AvroSerde.of(IngestStatus.class)
                .encode(IngestStatus.newBuilder()
                        .setSourceId("s")
                        .setState(io.clip4stream.schemas.avro.IngestState.DONE)
                        .setKind(SourceKind.URL)
                        .setUpdatedAtMillis(1L)
                        .build());

        UnknownSchemaException e = assertThrows(
                UnknownSchemaException.class,
                () -> AvroSerde.of(IngestRequest.class).decode(status));
        assertEquals(AvroSerde.of(IngestStatus.class).fingerprint(), e.fingerprint());
        assertEquals("io.clip4stream.schemas.avro.IngestRequest", e.recordType());
    }

    @Test
    void shouldRejectGarbageBytesWithTypedError() {
        byte[] garbage = "definitely not avro".getBytes(java.nio.charset.StandardCharsets.UTF_8);

        MalformedRecordException e = assertThrows(
                MalformedRecordException.class,
                () -> AvroSerde.of(IngestRequest.class).decode(garbage));

        assertTrue(e.getMessage().contains("not an Avro single-object message"), e.getMessage());
    }

    @Test
    void shouldRejectTruncatedBodyWithTypedError() {
        AvroSerde<IngestRequest> serde = AvroSerde.of(IngestRequest.class);
        byte[] bytes = serde.encode(request());
        byte[] truncated = Arrays.copyOf(bytes, bytes.length / 2);

        MalformedRecordException e = assertThrows(MalformedRecordException.class, () -> serde.decode(truncated));
        assertTrue(e.getMessage().contains("does not match the schema"), e.getMessage());
    }

    @Test
    void shouldRejectEmptyAndHeaderOnlyMessages() {
        AvroSerde<IngestRequest> serde = AvroSerde.of(IngestRequest.class);
        assertThrows(MalformedRecordException.class, () -> serde.decode(new byte[0]));
        assertThrows(MalformedRecordException.class, () -> serde.decode(new byte[] {(byte) 0xC3, 0x01, 1, 2}));
    }

    @Test
    void shouldRefuseToEncodeIncompleteRecord() {
        IngestRequest incomplete = new IngestRequest();
        assertThrows(
                SerializationException.class,
                () -> AvroSerde.of(IngestRequest.class).encode(incomplete));
    }

    private static Schema v1Schema() throws Exception {
        try (InputStream in = AvroSerdeTest.class.getResourceAsStream(
                "/io/clip4stream/schemas/history/io.clip4stream.schemas.avro.IngestRequest/v1.avsc")) {
            return new Schema.Parser().parse(in);
        }
    }
}
