package io.clip4stream.runtime.kafka;

import io.clip4stream.testkit.EmbeddedKafka;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The round-trip contract on the embedded KRaft broker. */
class RecordRoundTripIT extends RecordRoundTripContract {
    @RegisterExtension
    static final EmbeddedKafka KAFKA = EmbeddedKafka.singleNode();

    @Override
    String bootstrapServers() {
        return KAFKA.bootstrapServers();
    }
}
