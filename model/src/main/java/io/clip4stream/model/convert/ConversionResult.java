package io.clip4stream.model.convert;

import io.clip4stream.model.spec.ModelConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a conversion wrote.
 *
 * @param directory the model directory
 * @param config its config.json
 * @param format the source file's format
 * @param naming the naming the source used
 * @param storedDtypes how many tensors of each dtype the source stored (before widening)
 * @param notes one line per adjustment made (dropped bookkeeping, widened tensors, initialised conv2)
 */
public record ConversionResult(
        Path directory,
        ModelConfig config,
        SourceFormat format,
        ClipNaming.Convention naming,
        SortedMap<String, Integer> storedDtypes,
        List<String> notes) {

    /** Copies the collections. */
    public ConversionResult {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(naming, "naming");
        storedDtypes = new TreeMap<>(storedDtypes);
        notes = List.copyOf(notes);
    }

    /** Returns the number of tensors written. */
    public int tensorCount() {
        return storedDtypes.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Returns a few lines for a terminal. */
    public String summary() {
        StringBuilder text = new StringBuilder()
                .append("read a ")
                .append(format.description())
                .append(" in ")
                .append(naming == ClipNaming.Convention.HUGGING_FACE ? "Hugging Face CLIPModel" : "OpenAI/CLIP4Clip")
                .append(" naming; wrote ")
                .append(tensorCount())
                .append(" tensors (stored as ");
        String separator = "";
        for (Map.Entry<String, Integer> dtype : storedDtypes.entrySet()) {
            text.append(separator).append(dtype.getValue()).append(' ').append(dtype.getKey());
            separator = ", ";
        }
        text.append(") to ")
                .append(directory)
                .append(": head ")
                .append(config.simHeader().configName())
                .append(", patch ")
                .append(config.linearPatch().configName())
                .append(", cross layers ")
                .append(config.crossNumHiddenLayers())
                .append(", trained heads ")
                .append(config.trainedHeads()
                        .map(h -> h.isEmpty() ? "none (zero-shot)" : h.toString())
                        .orElse("?"))
                .append(config.preprocessing()
                        .map(p -> ", preprocessing " + p.describe())
                        .orElse(""))
                .append(System.lineSeparator());
        for (String note : notes) {
            text.append("  ").append(note).append(System.lineSeparator());
        }
        return text.toString();
    }
}
