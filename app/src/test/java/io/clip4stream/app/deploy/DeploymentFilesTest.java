package io.clip4stream.app.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.clip4stream.runtime.config.Setting;
import io.clip4stream.runtime.kafka.KafkaClientSettings;
import io.clip4stream.schemas.topic.AlertTopics;
import io.clip4stream.schemas.topic.Topic;
import io.clip4stream.schemas.topic.Topics;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Validates deploy/ as far as this machine allows (no cluster, no Docker): every file parses, every variable it sets
 * is one the code declares, every workload has probes, and the Kafka topics match the code's catalog.
 */
class DeploymentFilesTest {
    private static final Path DEPLOY = Path.of("..", "deploy");
    private static final Pattern VARIABLE = Pattern.compile("\\b(CLIP4S_[A-Z0-9_]+)\\b");
    private static Set<String> declared;
    private static List<JsonNode> kubernetes;

    @BeforeAll
    static void load() throws Exception {
        declared = declaredSettings();
        kubernetes = new ArrayList<>();
        try (Stream<Path> files = Files.list(DEPLOY.resolve("k8s"))) {
            for (Path file :
                    files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                kubernetes.addAll(documents(file));
            }
        }
    }

    @Test
    void shouldOnlySetVariablesTheCodeDeclares() throws IOException {
        Set<String> unknown = new TreeSet<>();
        try (Stream<Path> files = Files.walk(DEPLOY)) {
            for (Path file :
                    files.filter(f -> f.toString().matches(".*\\.(ya?ml)$")).toList()) {
                documents(file); // parses, or fails the test with the YAML error
                Matcher m = VARIABLE.matcher(Files.readString(file));
                while (m.find()) {
                    String name = m.group(1);
                    if (!declared.contains(name) && !name.startsWith(KafkaClientSettings.PROPERTY_PREFIX)) {
                        unknown.add(file.getFileName() + ": " + name);
                    }
                }
            }
        }
        assertTrue(unknown.isEmpty(), "Variables no Setting declares: " + unknown);
        assertTrue(declared.size() > 20, "found the declared settings: " + declared);
    }

    @Test
    void shouldGiveEveryWorkloadReadinessAndLivenessProbes() {
        List<JsonNode> workloads = kubernetes.stream()
                .filter(d -> Set.of("Deployment", "StatefulSet")
                        .contains(d.path("kind").asText()))
                .toList();
        assertEquals(5, workloads.size(), "ingest, encoder, index, query and alert");
        for (JsonNode workload : workloads) {
            for (JsonNode container : workload.at("/spec/template/spec/containers")) {
                String name = workload.at("/metadata/name").asText();
                assertEquals(
                        "/ready", container.at("/readinessProbe/httpGet/path").asText(), name);
                assertEquals(
                        "/health", container.at("/livenessProbe/httpGet/path").asText(), name);
            }
        }
    }

    @Test
    void shouldRunIndexAsStatefulSetWithVolumesAndEncoderOnGpu() {
        JsonNode index = workload("StatefulSet", "index");
        assertFalse(index.at("/spec/volumeClaimTemplates").isEmpty(), "index keeps its shards on volumes");
        JsonNode encoder = workload("Deployment", "encoder");
        assertEquals(
                "1",
                encoder.at("/spec/template/spec/containers/0/resources/limits/nvidia.com~1gpu")
                        .asText());
        assertTrue(kubernetes.stream().anyMatch(d -> d.path("kind").asText().equals("HorizontalPodAutoscaler")));
    }

    @Test
    void shouldGiveTheGpuEncoderACudaLibtorchOfTheVersionItsJniWasBuiltFor() throws IOException {
        JsonNode pod = workload("Deployment", "encoder").at("/spec/template/spec");
        JsonNode encoder = pod.at("/containers/0");
        Map<String, String> env = new java.util.HashMap<>();
        encoder.path("env")
                .forEach(e -> env.put(e.path("name").asText(), e.path("value").asText()));

        // A GPU is asked for, so DeviceCheck refuses to start rather than run on the CPU unnoticed.
        assertEquals("gpu", env.get("CLIP4S_ENCODER_DEVICE"));
        assertTrue(encoder.path("image").asText().endsWith("-cuda"), "the -Pcuda image: " + encoder.path("image"));

        // DJL's JNI library of exactly this libtorch version and flavor is in the jar (images run offline).
        java.util.Properties jni = new java.util.Properties();
        try (var in = getClass().getClassLoader().getResourceAsStream("jnilib/pytorch.properties")) {
            assertTrue(in != null, "pytorch-jni on the class path");
            jni.load(in);
        }
        String version = jni.getProperty("jni_version").split("-")[0];
        String flavor = env.get("PYTORCH_FLAVOR");
        assertEquals(version, env.get("PYTORCH_VERSION"), "the libtorch version DJL's JNI was built against");
        assertTrue(flavor != null && flavor.matches("cu\\d{3}"), "a CUDA flavor: " + flavor);
        assertTrue(
                getClass().getClassLoader().getResource("jnilib/linux-x86_64/" + flavor + "/libdjl_torch.so") != null,
                "DJL ships a JNI library for " + flavor);

        // PYTORCH_LIBRARY_PATH is a volume that an init container fills from a PyTorch image of that version and CUDA.
        String library = env.get("PYTORCH_LIBRARY_PATH");
        String volume = mountedVolume(encoder, library);
        assertFalse(volume.isEmpty(), "the encoder mounts a volume at " + library);
        JsonNode init = null;
        for (JsonNode candidate : pod.path("initContainers")) {
            if (volume.equals(mountedVolume(candidate, library))) {
                init = candidate;
            }
        }
        assertTrue(init != null, "an init container fills " + library);
        String cuda = flavor.substring(2, flavor.length() - 1) + "." + flavor.substring(flavor.length() - 1);
        assertTrue(
                init.path("image").asText().contains(version + "-cuda" + cuda),
                "libtorch " + version + " for CUDA " + cuda + ": " + init.path("image"));
        assertTrue(init.toString().contains(version) && init.toString().contains(cuda), "and checks it: " + init);
        assertEquals(library, env.get("LD_LIBRARY_PATH"), "the CUDA libraries libtorch links resolve from there too");
        boolean emptyDir = false;
        for (JsonNode v : pod.path("volumes")) {
            emptyDir |= v.path("name").asText().equals(volume) && v.has("emptyDir");
        }
        assertTrue(emptyDir, volume + " is an emptyDir");
    }

    /** The name of the volume {@code container} mounts at {@code path}, or empty. */
    private static String mountedVolume(JsonNode container, String path) {
        for (JsonNode mount : container.path("volumeMounts")) {
            if (mount.path("mountPath").asText().equals(path)) {
                return mount.path("name").asText();
            }
        }
        return "";
    }

    @Test
    void shouldDeclareTheCatalogsTopicsWithTheirPolicies() {
        Map<String, Topic<String, ?>> catalog = new java.util.HashMap<>();
        Topics.defaults().all().forEach(t -> catalog.put(t.name(), t));
        AlertTopics.defaults().all().forEach(t -> catalog.put(t.name(), t));
        List<JsonNode> topics = kubernetes.stream()
                .filter(d -> d.path("kind").asText().equals("KafkaTopic"))
                .toList();
        assertEquals(
                catalog.keySet(),
                new TreeSet<>(topics.stream()
                        .map(t -> t.at("/metadata/name").asText())
                        .toList()));
        for (JsonNode topic : topics) {
            Topic<String, ?> expected = catalog.get(topic.at("/metadata/name").asText());
            expected.configs()
                    .forEach((key, value) -> assertEquals(
                            value, topic.at("/spec/config").path(key).asText(), expected.name() + " " + key));
        }
    }

    @Test
    void shouldDeployTheAlertServiceAndPointTheQueryServiceAtIt() throws IOException {
        JsonNode alert = workload("Deployment", "alert").at("/spec/template/spec/containers/0");
        assertTrue(alert.path("image").asText().startsWith("clip4stream/alert-service:"), alert.toString());
        String port = env(alert).get("CLIP4S_ALERT_HTTP_PORT");
        assertEquals(port, alert.at("/ports/0/containerPort").asText());
        assertTrue(
                kubernetes.stream()
                        .anyMatch(d -> d.path("kind").asText().equals("Service")
                                && d.at("/metadata/name").asText().equals("alert")),
                "a Service named alert");
        JsonNode query = workload("Deployment", "query").at("/spec/template/spec/containers/0");
        assertEquals("http://alert:" + port, env(query).get("CLIP4S_QUERY_ALERT_URL"));
        JsonNode kustomization =
                documents(DEPLOY.resolve("k8s/kustomization.yaml")).getFirst();
        assertTrue(kustomization.path("resources").toString().contains("alert.yaml"), kustomization.toString());

        JsonNode compose =
                documents(DEPLOY.resolve("compose/docker-compose.yml")).getFirst();
        JsonNode composeAlert = compose.at("/services/alert");
        assertTrue(composeAlert.path("image").asText().startsWith("clip4stream/alert-service:"), compose.toString());
        assertEquals(
                "http://alert:"
                        + composeAlert.at("/environment/CLIP4S_ALERT_HTTP_PORT").asText(),
                compose.at("/services/query/environment/CLIP4S_QUERY_ALERT_URL").asText());
    }

    private static Map<String, String> env(JsonNode container) {
        Map<String, String> env = new java.util.HashMap<>();
        container
                .path("env")
                .forEach(e -> env.put(e.path("name").asText(), e.path("value").asText()));
        return env;
    }

    private static JsonNode workload(String kind, String name) {
        return kubernetes.stream()
                .filter(d -> d.path("kind").asText().equals(kind)
                        && d.at("/metadata/name").asText().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("No " + kind + " " + name));
    }

    private static List<JsonNode> documents(Path file) throws IOException {
        YAMLMapper mapper = new YAMLMapper();
        List<JsonNode> docs = new ArrayList<>();
        try (var parser = new YAMLFactory().createParser(file.toFile())) {
            Iterator<JsonNode> it = mapper.readValues(parser, JsonNode.class);
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc != null && !doc.isNull()) {
                    docs.add(doc);
                }
            }
        }
        return docs;
    }

    private static Set<String> declaredSettings() throws IllegalAccessException {
        Set<String> names = new TreeSet<>();
        for (JavaClass type : new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.clip4stream")) {
            for (JavaField field : type.getFields()) {
                if (field.getRawType().isEquivalentTo(Setting.class)
                        && field.getModifiers().contains(com.tngtech.archunit.core.domain.JavaModifier.STATIC)) {
                    Field reflected = field.reflect();
                    if (Modifier.isPublic(reflected.getModifiers()) || reflected.trySetAccessible()) {
                        names.add(((Setting<?>) reflected.get(null)).name());
                    }
                }
            }
        }
        return names;
    }
}
