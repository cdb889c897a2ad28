package io.clip4stream.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.clip4stream.model.ModelOptions;
import io.clip4stream.runtime.config.ConfigException;
import io.clip4stream.runtime.config.Env;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EncoderConfigTest {

    @Test
    void readsEverySettingAndDerivesTheTransactionalId() {
        EncoderConfig config = EncoderConfig.fromEnv(new Env(Map.ofEntries(
                Map.entry("CLIP4S_KAFKA_BOOTSTRAP_SERVERS", "kafka:9092"),
                Map.entry("CLIP4S_TOPIC_PREFIX", "t."),
                Map.entry("CLIP4S_TOPIC_PARTITIONS", "12"),
                Map.entry("CLIP4S_MODEL_DIR", "/models/vit-b-32"),
                Map.entry("CLIP4S_ENCODER_DEVICE", "cpu"),
                Map.entry("CLIP4S_ENCODER_THREADS", "3"),
                Map.entry("CLIP4S_ENCODER_MAX_BATCH", "32"),
                Map.entry("CLIP4S_ENCODER_MAX_WAIT_MS", "75"),
                Map.entry("CLIP4S_ENCODER_COMMIT_INTERVAL_MS", "250"),
                Map.entry("CLIP4S_ENCODER_GROUP_ID", "enc"),
                Map.entry("CLIP4S_ENCODER_INSTANCE_ID", "enc-1"),
                Map.entry("CLIP4S_ENCODER_HTTP_PORT", "0"))));
        assertEquals("kafka:9092", config.kafka().bootstrapServers());
        assertEquals("t.frames", config.topics().frames().name());
        assertEquals(12, config.topics().frames().partitions());
        assertEquals(Path.of("/models/vit-b-32"), config.modelDir());
        assertEquals(new ModelOptions(ModelOptions.DeviceChoice.CPU, 3, 32), config.modelOptions());
        assertEquals(Duration.ofMillis(75), config.maxWait());
        assertEquals(64, config.maxPendingFrames(), "default bound: two batches");
        assertEquals(Duration.ofMillis(250), config.commitInterval());
        assertEquals("enc-enc-1", config.transactionalId());
        assertEquals(0, config.httpPort());
    }

    @Test
    void theInstanceIdFallsBackToTheHostName() {
        EncoderConfig config = EncoderConfig.fromEnv(new Env(Map.of("HOSTNAME", "encoder-7")));
        assertEquals("clip4stream-encoder-encoder-7", config.transactionalId());
        assertEquals(ModelOptions.DeviceChoice.AUTO, config.device());
        assertEquals(16, config.maxBatchFrames());
    }

    @Test
    void rejectsAPendingBoundBelowTheBatchAndAnUnknownDevice() {
        ConfigException pending = assertThrows(
                ConfigException.class,
                () -> EncoderConfig.fromEnv(new Env(Map.of(
                        "HOSTNAME", "h", "CLIP4S_ENCODER_MAX_BATCH", "16", "CLIP4S_ENCODER_MAX_PENDING_FRAMES", "8"))));
        assertEquals(true, pending.getMessage().contains("CLIP4S_ENCODER_MAX_PENDING_FRAMES"));
        ConfigException device = assertThrows(
                ConfigException.class,
                () -> EncoderConfig.fromEnv(new Env(Map.of("HOSTNAME", "h", "CLIP4S_ENCODER_DEVICE", "tpu"))));
        assertEquals(true, device.getMessage().contains("CLIP4S_ENCODER_DEVICE"));
    }
}
