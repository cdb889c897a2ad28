package io.clip4stream.runtime.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * One environment variable: its name, default, description and how its text becomes a value.
 *
 * <p>Services declare their settings as constants, so the README tables and {@code --help} can be generated from the
 * same declarations that the code reads.
 *
 * @param name environment variable, e.g. {@code CLIP4S_HTTP_PORT}
 * @param defaultText default as it would be written in the environment; {@code null} when the setting is required
 * @param description one sentence for documentation
 * @param parser turns the text into a value, throwing on malformed input
 * @param <T> the value type
 */
public record Setting<T>(String name, String defaultText, String description, Function<String, T> parser) {

    /** Validates the declaration. */
    public Setting {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(parser, "parser");
        if (!name.matches("[A-Z][A-Z0-9_]*")) {
            throw new IllegalArgumentException("Environment variable names are upper snake case; was " + name);
        }
    }

    /** Whether the setting has no default and must be given. */
    public boolean required() {
        return defaultText == null;
    }

    /** A text setting. */
    public static Setting<String> string(String name, String defaultText, String description) {
        return new Setting<>(name, defaultText, description, Function.identity());
    }

    /** An integer setting within {@code [min, max]}. */
    public static Setting<Integer> integer(String name, int defaultValue, int min, int max, String description) {
        return new Setting<>(name, Integer.toString(defaultValue), description, text -> {
            int value = Integer.parseInt(text.strip());
            if (value < min || value > max) {
                throw new IllegalArgumentException("must be between " + min + " and " + max);
            }
            return value;
        });
    }

    /** A positive decimal setting. */
    public static Setting<Double> positiveDecimal(String name, double defaultValue, String description) {
        return new Setting<>(name, Double.toString(defaultValue), description, text -> {
            double value = Double.parseDouble(text.strip());
            if (!(value > 0) || Double.isInfinite(value)) {
                throw new IllegalArgumentException("must be a positive number");
            }
            return value;
        });
    }

    /** A boolean setting ({@code true}/{@code false}). */
    public static Setting<Boolean> bool(String name, boolean defaultValue, String description) {
        return new Setting<>(name, Boolean.toString(defaultValue), description, text -> switch (text.strip()
                .toLowerCase(java.util.Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw new IllegalArgumentException("must be true or false");
        });
    }

    /** A positive duration in milliseconds. */
    public static Setting<Duration> millis(String name, long defaultMillis, String description) {
        return new Setting<>(name, Long.toString(defaultMillis), description, text -> {
            long value = Long.parseLong(text.strip());
            if (value <= 0) {
                throw new IllegalArgumentException("must be a positive number of milliseconds");
            }
            return Duration.ofMillis(value);
        });
    }

    /** A file-system path. */
    public static Setting<Path> path(String name, String defaultText, String description) {
        return new Setting<>(name, defaultText, description, text -> Path.of(text.strip()));
    }

    /** A comma-separated list; blank entries are dropped. */
    public static Setting<List<String>> list(String name, String defaultText, String description) {
        return new Setting<>(
                name,
                defaultText,
                description,
                text -> Arrays.stream(text.split(","))
                        .map(String::strip)
                        .filter(s -> !s.isEmpty())
                        .toList());
    }
}
