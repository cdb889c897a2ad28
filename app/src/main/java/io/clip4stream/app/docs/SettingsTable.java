package io.clip4stream.app.docs;

import io.clip4stream.runtime.config.Setting;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One generated Markdown table of settings, kept in a document between the markers {@code <!-- settings:ID -->} and
 * {@code <!-- /settings:ID -->}; everything outside the markers is left as written.
 *
 * @param id the marker id, e.g. {@code ingest}
 * @param source where the settings are declared, named in the table's comment (e.g. {@code IngestConfig.SETTINGS})
 * @param settings the settings, in table order
 * @param defaultsInWords the default column of settings whose default depends on the machine (e.g. a thread count
 *     from the cores), by variable name, so that the generated text is the same everywhere
 */
public record SettingsTable(String id, String source, List<Setting<?>> settings, Map<String, String> defaultsInWords) {
    /** Validates and copies. */
    public SettingsTable {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(source, "source");
        settings = List.copyOf(settings);
        defaultsInWords = Map.copyOf(defaultsInWords);
        for (String name : defaultsInWords.keySet()) {
            if (settings.stream().noneMatch(s -> s.name().equals(name))) {
                throw new IllegalArgumentException(name + " has a default in words but is not in the table " + id);
            }
        }
        if (!id.matches("[a-z][a-z0-9-]*")) {
            throw new IllegalArgumentException("table ids are lower-case words, was " + id);
        }
    }

    /** A table whose defaults are all written as the code declares them. */
    public SettingsTable(String id, String source, List<Setting<?>> settings) {
        this(id, source, settings, Map.of());
    }

    /** The opening marker. */
    public String begin() {
        return "<!-- settings:" + id + " -->";
    }

    /** The closing marker. */
    public String end() {
        return "<!-- /settings:" + id + " -->";
    }

    /** The table with its markers: a header and one row per setting (name, default, description). */
    public String render() {
        StringBuilder text = new StringBuilder(begin())
                .append('\n')
                .append("<!-- generated from ")
                .append(source)
                .append(" by bin/settings-docs: edit the Setting in the code, then run it -->\n")
                .append("| variable | default | meaning |\n")
                .append("|---|---|---|\n");
        for (Setting<?> setting : settings) {
            text.append("| `")
                    .append(setting.name())
                    .append("` | ")
                    .append(defaultsInWords.getOrDefault(setting.name(), defaultCell(setting)))
                    .append(" | ")
                    .append(escape(setting.description()))
                    .append(" |\n");
        }
        return text.append(end()).toString();
    }

    /**
     * Returns {@code document} with the text between this table's markers (markers included) replaced by {@link
     * #render()}; fails when the document lacks the markers, so a table cannot silently go missing.
     */
    public String spliceInto(String document, String documentName) {
        int from = document.indexOf(begin());
        int to = document.indexOf(end());
        if (from < 0 || to < from) {
            throw new IllegalArgumentException(
                    documentName + " has no " + begin() + " ... " + end() + " block for the table from " + source);
        }
        if (document.indexOf(begin(), from + 1) >= 0) {
            throw new IllegalArgumentException(documentName + " has " + begin() + " twice");
        }
        return document.substring(0, from) + render() + document.substring(to + end().length());
    }

    private static String defaultCell(Setting<?> setting) {
        if (setting.required()) {
            return "(required)";
        }
        if (setting.defaultText().isEmpty()) {
            return "(empty)";
        }
        return "`" + setting.defaultText() + "`";
    }

    private static String escape(String description) {
        // A pipe would end the cell; a line break would end the row.
        return description.replace("|", "\\|").replace('\n', ' ');
    }
}
