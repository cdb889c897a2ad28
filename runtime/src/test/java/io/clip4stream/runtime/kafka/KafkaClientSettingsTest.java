package io.clip4stream.runtime.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.runtime.config.ConfigException;
import io.clip4stream.runtime.config.Env;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaClientSettingsTest {

    @Test
    void shouldPassSecuritySettingsThroughToEveryClient(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, "ssl.truststore.location=/etc/kafka/truststore.jks\nsasl.mechanism=PLAIN\n");
        Env env = new Env(Map.of(
                "CLIP4S_KAFKA_BOOTSTRAP_SERVERS", "broker-1:9093,broker-2:9093",
                "CLIP4S_KAFKA_PROPERTIES_FILE", file.toString(),
                "CLIP4S_KAFKA_PROP_SECURITY_PROTOCOL", "SASL_SSL",
                "CLIP4S_KAFKA_PROP_SASL_MECHANISM", "SCRAM-SHA-512"));

        KafkaClientSettings settings = KafkaClientSettings.fromEnv(env);

        for (Map<String, Object> client : new Map[] {
            settings.admin("a"), settings.producer("p"), settings.consumer("c", "g"), settings.streams("s")
        }) {
            assertEquals("broker-1:9093,broker-2:9093", client.get("bootstrap.servers"));
            assertEquals("SASL_SSL", client.get("security.protocol"));
            assertEquals("SCRAM-SHA-512", client.get("sasl.mechanism"), "variables win over the file");
            assertEquals("/etc/kafka/truststore.jks", client.get("ssl.truststore.location"));
        }
    }

    @Test
    void shouldKeepExactlyOnceSettingsOwnedByClip4Stream() {
        KafkaClientSettings settings = KafkaClientSettings.of("localhost:9092");
        assertEquals("read_committed", settings.consumer("c", "g").get("isolation.level"));
        assertEquals(false, settings.consumer("c", "g").get("enable.auto.commit"));
        assertEquals(true, settings.producer("p").get("enable.idempotence"));
        assertEquals("tx-1", settings.transactionalProducer("p", "tx-1").get("transactional.id"));
        assertEquals("exactly_once_v2", settings.streams("app").get("processing.guarantee"));

        ConfigException e = assertThrows(
                ConfigException.class,
                () -> KafkaClientSettings.fromEnv(
                        new Env(Map.of("CLIP4S_KAFKA_PROP_ISOLATION_LEVEL", "read_uncommitted"))));
        assertTrue(e.getMessage().contains("isolation.level"), e.getMessage());
    }

    @Test
    void shouldExplainUnreadablePropertiesFile() {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> KafkaClientSettings.fromEnv(
                        new Env(Map.of("CLIP4S_KAFKA_PROPERTIES_FILE", "/nope/x.properties"))));
        assertTrue(e.getMessage().startsWith("CLIP4S_KAFKA_PROPERTIES_FILE=/nope/x.properties"), e.getMessage());
    }
}
