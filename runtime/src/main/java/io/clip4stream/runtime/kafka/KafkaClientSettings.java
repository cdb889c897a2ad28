package io.clip4stream.runtime.kafka;

import io.clip4stream.runtime.config.ConfigException;
import io.clip4stream.runtime.config.Env;
import io.clip4stream.runtime.config.Setting;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;

/**
 * How a service reaches Kafka: the bootstrap servers plus any client property, passed through untouched.
 *
 * <p>Security settings (SASL, SSL, keystores) are never modelled here; they pass through, from a properties file
 * ({@code CLIP4S_KAFKA_PROPERTIES_FILE}) and from variables {@code CLIP4S_KAFKA_PROP_<NAME>}, where {@code NAME} is the
 * client property in upper case with dots as underscores ({@code CLIP4S_KAFKA_PROP_SECURITY_PROTOCOL=SASL_SSL}).
 * Variables win over the file.
 *
 * @param bootstrapServers comma-separated host:port list
 * @param clientProperties extra properties for every producer, consumer, admin and Streams client
 */
public record KafkaClientSettings(String bootstrapServers, Map<String, String> clientProperties) {

    /** Bootstrap servers. */
    public static final Setting<String> BOOTSTRAP = Setting.string(
            "CLIP4S_KAFKA_BOOTSTRAP_SERVERS", "localhost:9092", "Kafka bootstrap servers, host:port,...");

    /** A Java properties file of client settings (e.g. SSL keystores, SASL JAAS config). */
    public static final Setting<String> PROPERTIES_FILE = Setting.string(
            "CLIP4S_KAFKA_PROPERTIES_FILE", "", "Java properties file of extra Kafka client settings (SASL/SSL).");

    /** Prefix of variables that pass one client property each. */
    public static final String PROPERTY_PREFIX = "CLIP4S_KAFKA_PROP_";

    /** Settings these clients own; passthrough may not change them, or exactly-once guarantees would break. */
    private static final List<String> RESERVED = List.of(
            "key.serializer",
            "value.serializer",
            "key.deserializer",
            "value.deserializer",
            "transactional.id",
            "enable.auto.commit",
            "isolation.level",
            "processing.guarantee");

    /** Validates the settings. */
    public KafkaClientSettings {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        if (bootstrapServers.isBlank()) {
            throw new ConfigException(BOOTSTRAP.name() + " must not be blank");
        }
        clientProperties = Map.copyOf(clientProperties);
        for (String reserved : RESERVED) {
            if (clientProperties.containsKey(reserved)) {
                throw new ConfigException("Kafka property '" + reserved + "' is set by Clip4Stream itself and cannot"
                        + " be passed through");
            }
        }
    }

    /** Settings for a broker at {@code bootstrapServers} with no extra properties. */
    public static KafkaClientSettings of(String bootstrapServers) {
        return new KafkaClientSettings(bootstrapServers, Map.of());
    }

    /** Reads the bootstrap servers, the properties file and every {@code CLIP4S_KAFKA_PROP_*} variable. */
    public static KafkaClientSettings fromEnv(Env env) {
        Map<String, String> props = new TreeMap<>();
        String file = env.get(PROPERTIES_FILE);
        if (!file.isBlank()) {
            Properties loaded = new Properties();
            try (InputStream in = Files.newInputStream(Path.of(file))) {
                loaded.load(in);
            } catch (IOException e) {
                throw new ConfigException(
                        PROPERTIES_FILE.name() + "=" + file + " cannot be read: " + e.getMessage(), e);
            }
            loaded.stringPropertyNames().forEach(name -> props.put(name, loaded.getProperty(name)));
        }
        env.withPrefix(PROPERTY_PREFIX)
                .forEach(
                        (name, value) -> props.put(name.toLowerCase(Locale.ROOT).replace('_', '.'), value));
        return new KafkaClientSettings(env.get(BOOTSTRAP), props);
    }

    /** Properties shared by every client: bootstrap servers plus the passthrough. */
    public Map<String, Object> common() {
        Map<String, Object> config = new HashMap<>(clientProperties);
        config.put("bootstrap.servers", bootstrapServers);
        return config;
    }

    /** An admin client's properties. */
    public Map<String, Object> admin(String clientId) {
        Map<String, Object> config = common();
        config.put("client.id", clientId);
        return config;
    }

    /** An idempotent producer's properties (acks=all). */
    public Map<String, Object> producer(String clientId) {
        Map<String, Object> config = common();
        config.put("client.id", clientId);
        config.putIfAbsent("acks", "all");
        config.put("enable.idempotence", true);
        config.putIfAbsent("compression.type", "lz4");
        return config;
    }

    /** A transactional producer's properties; {@code transactionalId} must be stable across restarts of one worker. */
    public Map<String, Object> transactionalProducer(String clientId, String transactionalId) {
        Map<String, Object> config = producer(clientId);
        config.put("transactional.id", transactionalId);
        return config;
    }

    /** A consumer's properties: manual commits and read_committed, so only committed transactions are seen. */
    public Map<String, Object> consumer(String clientId, String groupId) {
        Map<String, Object> config = common();
        config.put("client.id", clientId);
        config.put("group.id", groupId);
        config.put("enable.auto.commit", false);
        config.put("isolation.level", "read_committed");
        config.putIfAbsent("auto.offset.reset", "earliest");
        return config;
    }

    /** Base properties of a Kafka Streams application; the service adds its own topology settings. */
    public Map<String, Object> streams(String applicationId) {
        Map<String, Object> config = common();
        config.put("application.id", applicationId);
        config.put("processing.guarantee", "exactly_once_v2");
        return config;
    }
}
