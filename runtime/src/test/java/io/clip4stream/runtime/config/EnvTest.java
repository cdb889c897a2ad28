package io.clip4stream.runtime.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvTest {
    private static final Setting<Integer> PORT = Setting.integer("CLIP4S_HTTP_PORT", 8080, 0, 65535, "HTTP port.");
    private static final Setting<Duration> REFRESH = Setting.millis("CLIP4S_REFRESH_MS", 500, "Refresh interval.");
    private static final Setting<String> REQUIRED = Setting.string("CLIP4S_MODEL_DIR", null, "Model directory.");

    @Test
    void shouldUseDefaultWhenUnsetOrBlank() {
        assertEquals(8080, new Env(Map.of()).get(PORT));
        assertEquals(8080, new Env(Map.of("CLIP4S_HTTP_PORT", "  ")).get(PORT));
        assertEquals(Duration.ofMillis(500), new Env(Map.of()).get(REFRESH));
    }

    @Test
    void shouldParseGivenValues() {
        Env env = new Env(Map.of("CLIP4S_HTTP_PORT", "9000", "CLIP4S_REFRESH_MS", "250"));
        assertEquals(9000, env.get(PORT));
        assertEquals(Duration.ofMillis(250), env.get(REFRESH));
        assertEquals(List.of("a", "b"), new Env(Map.of("L", " a, ,b ")).get(Setting.list("L", "", "list")));
        assertEquals(true, new Env(Map.of("B", "yes")).get(Setting.bool("B", false, "flag")));
    }

    @Test
    void shouldNameVariableAndValueWhenInvalid() {
        ConfigException e =
                assertThrows(ConfigException.class, () -> new Env(Map.of("CLIP4S_HTTP_PORT", "70000")).get(PORT));
        assertTrue(e.getMessage().contains("CLIP4S_HTTP_PORT='70000'"), e.getMessage());
        assertTrue(e.getMessage().contains("between 0 and 65535"), e.getMessage());
        assertThrows(ConfigException.class, () -> new Env(Map.of("CLIP4S_REFRESH_MS", "-1")).get(REFRESH));
        assertThrows(ConfigException.class, () -> new Env(Map.of("B", "maybe")).get(Setting.bool("B", false, "f")));
    }

    @Test
    void shouldRequireSettingsWithoutDefault() {
        ConfigException e = assertThrows(ConfigException.class, () -> new Env(Map.of()).get(REQUIRED));
        assertTrue(e.getMessage().startsWith("CLIP4S_MODEL_DIR is required"), e.getMessage());
    }

    @Test
    void shouldRejectBadlyNamedSettings() {
        assertThrows(IllegalArgumentException.class, () -> Setting.string("lower_case", "", "bad"));
    }
}
