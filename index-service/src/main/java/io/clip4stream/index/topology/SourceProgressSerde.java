package io.clip4stream.index.topology;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * JSON serde of {@link SourceProgress} for the assembler's internal state store and its changelog (internal to this
 * service, so it needs no Avro contract).
 */
public final class SourceProgressSerde implements Serde<SourceProgress> {

    private final ObjectMapper json = new ObjectMapper();

    @Override
    public Serializer<SourceProgress> serializer() {
        return (topic, progress) -> {
            if (progress == null) {
                return null;
            }
            try {
                return json.writeValueAsBytes(progress);
            } catch (JsonProcessingException e) {
                throw new SerializationException("cannot encode the progress " + progress, e);
            }
        };
    }

    @Override
    public Deserializer<SourceProgress> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                return json.readValue(bytes, SourceProgress.class);
            } catch (IOException e) {
                throw new SerializationException("cannot decode a source progress from " + bytes.length + " bytes", e);
            }
        };
    }
}
