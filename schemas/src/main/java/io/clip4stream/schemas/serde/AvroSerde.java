package io.clip4stream.schemas.serde;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.ClassSecurityValidator;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A Kafka {@link Serde} for one generated Avro record type in single-object encoding: two marker bytes, the writer
 * schema's 8-byte CRC-64-AVRO fingerprint, then the binary body.
 *
 * <p>The fingerprint makes every message self-describing without a schema registry. Messages written with an older
 * version of the schema are resolved to the current one when that version is in the {@link SchemaHistory}; an
 * unknown fingerprint or malformed bytes raise a {@link RecordDecodingException}, never a silent {@code null}.
 * Instances are immutable and thread-safe.
 *
 * @param <T> the generated record type
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {
    private static final String GENERATED_PACKAGE = "io.clip4stream.schemas.avro";

    static {
        // Avro 1.12.2 refuses to instantiate classes it has not been told to trust while decoding.
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(
                ClassSecurityValidator.getGlobal(), c -> c.getPackageName().equals(GENERATED_PACKAGE)));
    }

    private final Class<T> type;
    private final String recordType;
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;
    private final int knownSchemas;

    private AvroSerde(Class<T> type, List<Schema> olderWriterSchemas) {
        this.type = Objects.requireNonNull(type, "type");
        SpecificData model = SpecificData.getForClass(type);
        Schema reader = model.getSchema(type);
        this.recordType = reader.getFullName();
        SchemaStore.Cache store = new SchemaStore.Cache();
        for (Schema older : olderWriterSchemas) {
            if (!older.getFullName().equals(recordType)) {
                throw new IllegalArgumentException(
                        "Older schema " + older.getFullName() + " is not a version of " + recordType);
            }
            store.addSchema(older);
        }
        this.encoder = new BinaryMessageEncoder<>(model, reader);
        this.decoder = new BinaryMessageDecoder<>(model, reader, store);
        this.knownSchemas = 1 + olderWriterSchemas.size();
    }

    /** A serde for {@code type} that also reads every older version listed in its {@link SchemaHistory}. */
    public static <T extends SpecificRecord> AvroSerde<T> of(Class<T> type) {
        Schema current = SpecificData.getForClass(type).getSchema(type);
        return new AvroSerde<>(type, SchemaHistory.load(current.getFullName(), type.getClassLoader()));
    }

    /** A serde for {@code type} that reads the given older writer schemas besides the current one. */
    public static <T extends SpecificRecord> AvroSerde<T> withHistory(Class<T> type, List<Schema> olderWriterSchemas) {
        return new AvroSerde<>(type, List.copyOf(olderWriterSchemas));
    }

    /** The generated record type this serde reads and writes. */
    public Class<T> type() {
        return type;
    }

    /** Encodes {@code value}; {@code null} stays {@code null} so tombstones pass through. */
    public byte[] encode(T value) {
        if (value == null) {
            return null;
        }
        try {
            ByteBuffer buffer = encoder.encode(value);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException | AvroRuntimeException | ClassCastException | NullPointerException e) {
            throw new SerializationException("Cannot encode " + recordType + ": " + e.getMessage(), e);
        }
    }

    /** Decodes {@code bytes}; {@code null} (a tombstone) stays {@code null}, anything unreadable throws. */
    public T decode(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        try {
            return decoder.decode(bytes);
        } catch (MissingSchemaException e) {
            throw new UnknownSchemaException(recordType, fingerprintOf(bytes), knownSchemas, e);
        } catch (BadHeaderException e) {
            throw new MalformedRecordException(
                    recordType,
                    "not an Avro single-object message (" + bytes.length + " bytes; expected the marker C3 01"
                            + " and an 8-byte schema fingerprint): " + e.getMessage(),
                    e);
        } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException | NegativeArraySizeException e) {
            throw new MalformedRecordException(
                    recordType,
                    "the body (" + bytes.length + " bytes) does not match the schema its header names: "
                            + e.getMessage(),
                    e);
        }
    }

    /** The fingerprint that the current schema writes into each message header. */
    public long fingerprint() {
        return SchemaNormalization.parsingFingerprint64(
                SpecificData.getForClass(type).getSchema(type));
    }

    private static long fingerprintOf(byte[] bytes) {
        if (bytes.length < 10) {
            return 0L;
        }
        return ByteBuffer.wrap(bytes, 2, 8)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .getLong();
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, value) -> encode(value);
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, bytes) -> decode(bytes);
    }

    @Override
    public String toString() {
        return "AvroSerde[" + recordType + ", " + knownSchemas + " schema version(s)]";
    }
}
