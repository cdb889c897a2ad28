package io.clip4stream.runtime.config;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Reads {@link Setting}s from an environment map; {@code System.getenv()} is passed in only by {@code main}.
 *
 * @param variables the environment
 */
public record Env(Map<String, String> variables) {

    /** Copies the environment. */
    public Env {
        variables = Map.copyOf(Objects.requireNonNull(variables, "variables"));
    }

    /** The value of {@code setting}, its default when unset or blank, or a {@link ConfigException} naming it. */
    public <T> T get(Setting<T> setting) {
        String text = variables.get(setting.name());
        if (text == null || text.isBlank()) {
            if (setting.required()) {
                throw new ConfigException(setting.name() + " is required: " + setting.description());
            }
            text = setting.defaultText();
        }
        try {
            return setting.parser().apply(text);
        } catch (RuntimeException e) {
            throw new ConfigException(
                    setting.name() + "='" + text + "' is invalid: " + e.getMessage() + " (" + setting.description()
                            + ")",
                    e);
        }
    }

    /** Every variable whose name starts with {@code prefix}, keyed by the rest of the name. */
    public Map<String, String> withPrefix(String prefix) {
        Map<String, String> found = new TreeMap<>();
        variables.forEach((name, value) -> {
            if (name.startsWith(prefix) && name.length() > prefix.length()) {
                found.put(name.substring(prefix.length()), value);
            }
        });
        return found;
    }
}
