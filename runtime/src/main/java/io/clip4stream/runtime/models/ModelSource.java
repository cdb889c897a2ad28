package io.clip4stream.runtime.models;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A model that can be pulled: where its files come from, which revision, under which licence, which heads it
 * provides, and how its checkpoint becomes a model directory.
 *
 * @param name the registry name, e.g. {@code openai/ViT-B-32}; also its folder in the cache
 * @param revision the pinned revision (a commit, or the digest prefix the files are published under)
 * @param description one line for {@code model list}
 * @param files the files to download
 * @param checkpointFile the name of the weights file among {@code files}
 * @param licence the licence, e.g. {@code MIT}
 * @param licenceUrl where the licence text is
 * @param trainedHeads the similarity heads whose weights were trained (meanP has none to train: a zero-shot CLIP
 *     model lists only meanP)
 * @param conversion config.json settings for the conversion ({@code sim_header}, {@code max_frames}, ...)
 * @param note what a user should know (reported figures, how the download is verified)
 */
public record ModelSource(
        String name,
        String revision,
        String description,
        List<ModelFile> files,
        String checkpointFile,
        String licence,
        String licenceUrl,
        List<String> trainedHeads,
        Map<String, String> conversion,
        Optional<String> note) {

    /** Validates the fields and copies the collections. */
    public ModelSource {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(revision, "revision");
        Objects.requireNonNull(description, "description");
        files = List.copyOf(files);
        Objects.requireNonNull(checkpointFile, "checkpointFile");
        Objects.requireNonNull(licence, "licence");
        Objects.requireNonNull(licenceUrl, "licenceUrl");
        trainedHeads = List.copyOf(trainedHeads);
        conversion = java.util.Collections.unmodifiableMap(new TreeMap<>(conversion));
        Objects.requireNonNull(note, "note");
        if (!name.matches("[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)+") || name.contains("..")) {
            throw new IllegalArgumentException("model name '" + name + "' must be owner/name");
        }
        if (!revision.matches("[A-Za-z0-9._-]+") || revision.contains("..")) {
            throw new IllegalArgumentException("revision '" + revision + "' of " + name + " is not a plain name");
        }
        if (files.stream().noneMatch(file -> file.fileName().equals(checkpointFile))) {
            throw new IllegalArgumentException(name + " has no file " + checkpointFile + " to convert");
        }
    }

    /** Returns whether the files include a Hugging Face tokenizer ({@code vocab.json} and {@code merges.txt}). */
    public boolean hasTokenizer() {
        return files.stream().anyMatch(f -> f.fileName().equals("vocab.json"))
                && files.stream().anyMatch(f -> f.fileName().equals("merges.txt"));
    }
}
