package io.clip4stream.runtime.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.schemas.topic.Topics;
import io.clip4stream.testkit.EmbeddedKafka;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The deployment's model record on a real broker: read whole, checked, recorded once, shared by every service. */
class ModelVersionLogIT {
    @RegisterExtension
    static final EmbeddedKafka KAFKA = EmbeddedKafka.singleNode();

    private static final ServedModel B32 = ModelFitTest.model("openai/ViT-B-32", "1", 512, 224, "bicubic");

    private ModelVersionLog log(Topics topics) {
        KafkaClientSettings kafka = KafkaClientSettings.of(KAFKA.bootstrapServers());
        new TopicProvisioner(kafka, 1, TopicProvisioner.DEFAULT_TIMEOUT).ensure(List.of(topics.models()));
        return new ModelVersionLog(kafka, topics.models(), Duration.ofSeconds(30), Clock.systemUTC());
    }

    private static Topics fresh() {
        return Topics.withPrefix("mv-" + UUID.randomUUID().toString().substring(0, 8) + ".", 1);
    }

    @Test
    void shouldRecordAModelOnceAndReadItBackFromAnotherInstance() {
        Topics topics = fresh();
        assertEquals(List.of(), log(topics).read(), "a new deployment records nothing");
        log(topics).checkAndRecord("index-service", B32);
        log(topics).checkAndRecord("encoder-service", B32);
        ServedModel second = ModelFitTest.model("mmaction2/clip4clip", "2", 512, 256, "bilinear");
        log(topics).checkAndRecord("index-service", second);
        assertEquals(List.of(B32, second), log(topics).read(), "what a fresh disk would see");
    }

    @Test
    void shouldRefuseAModelThatDoesNotFitWhatAnotherServiceRecorded() {
        Topics topics = fresh();
        log(topics).checkAndRecord("index-service", B32);
        ServedModel wider = ModelFitTest.model("openai/ViT-L-14", "3", 768, 224, "bicubic");
        IllegalStateException refused =
                assertThrows(IllegalStateException.class, () -> log(topics).checkAndRecord("encoder-service", wider));
        assertTrue(
                refused.getMessage().startsWith("encoder-service refuses to start")
                        && refused.getMessage().contains("openai/ViT-B-32 1 (width 512")
                        && refused.getMessage().contains("openai/ViT-L-14 3 (width 768"),
                refused.getMessage());
        assertEquals(List.of(B32), log(topics).read(), "a refused model is not recorded");
    }
}
