package io.clip4stream.kafka.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Field;
import java.lang.reflect.ParameterizedType;
import java.time.Duration;
import kafka.server.BrokerServer;
import kafka.server.KafkaRaftServer;
import org.junit.jupiter.api.Test;

/**
 * The Kafka internals {@link KafkaNode#stopBroker} relies on: the server's private {@code broker} Option and the
 * broker's bounded shutdown. A Kafka upgrade that changes them fails here rather than silently bringing back the
 * 5-minute stops of a cluster's last broker.
 */
class KafkaNodeTest {

    @Test
    void shouldFindTheBrokerOfARaftServerAndItsBoundedShutdown() throws ReflectiveOperationException {
        Field broker = KafkaRaftServer.class.getDeclaredField("broker");
        assertEquals(scala.Option.class, broker.getType());
        assertEquals(BrokerServer.class, ((ParameterizedType) broker.getGenericType()).getActualTypeArguments()[0]);
        assertEquals(
                void.class,
                BrokerServer.class.getMethod("shutdown", Duration.class).getReturnType());
    }
}
