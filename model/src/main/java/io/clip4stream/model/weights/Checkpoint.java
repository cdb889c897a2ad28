package io.clip4stream.model.weights;

import io.clip4stream.model.spec.InvalidCheckpointException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The tensors of a CLIP4Clip checkpoint, possibly spread over several safetensors files, under CLIP4Clip state-dict
 * names.
 *
 * <p>Raw OpenAI CLIP names ({@code visual.conv1.weight}, {@code token_embedding.weight}, ...) are accepted and renamed
 * with the {@code clip.} prefix CLIP4Clip puts in front of them; the three bookkeeping scalars of the OpenAI archives
 * ({@code input_resolution}, {@code context_length}, {@code vocab_size}) are dropped, as CLIP4Clip does.
 */
public final class Checkpoint implements AutoCloseable {

    private static final String CLIP_PREFIX = "clip.";

    /** Top-level names of OpenAI CLIP's state dict, which CLIP4Clip nests under {@code clip.}. */
    private static final List<String> RAW_CLIP_ROOTS = List.of(
            "visual.",
            "transformer.",
            "token_embedding.",
            "positional_embedding",
            "ln_final.",
            "text_projection",
            "logit_scale");

    private static final Set<String> RAW_CLIP_BOOKKEEPING = Set.of("input_resolution", "context_length", "vocab_size");

    private final String source;
    private final List<SafetensorsFile> files;
    private final SortedMap<String, Location> tensors;

    private record Location(SafetensorsFile file, String storedName) {}

    private Checkpoint(String source, List<SafetensorsFile> files, SortedMap<String, Location> tensors) {
        this.source = source;
        this.files = List.copyOf(files);
        this.tensors = Collections.unmodifiableSortedMap(tensors);
    }

    /** Opens the given safetensors files as one checkpoint; a tensor defined twice is an error. */
    public static Checkpoint open(List<Path> paths) throws IOException {
        List<SafetensorsFile> opened = new ArrayList<>();
        try {
            for (Path path : paths) {
                opened.add(SafetensorsFile.open(path));
            }
            return of(opened);
        } catch (IOException | RuntimeException e) {
            for (SafetensorsFile file : opened) {
                try {
                    file.close();
                } catch (IOException closeFailure) {
                    e.addSuppressed(closeFailure);
                }
            }
            throw e;
        }
    }

    /** Wraps already opened files (closed with the checkpoint); a tensor defined twice is an error. */
    public static Checkpoint of(List<SafetensorsFile> files) {
        if (files.isEmpty()) {
            throw new IllegalArgumentException("a checkpoint needs at least one safetensors file");
        }
        StringBuilder source = new StringBuilder();
        SortedMap<String, Location> tensors = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        for (SafetensorsFile file : files) {
            source.append(source.isEmpty() ? "" : " + ").append(file.source());
            for (String stored : file.names()) {
                if (RAW_CLIP_BOOKKEEPING.contains(stored)) {
                    continue;
                }
                String name = canonicalName(stored);
                Location previous = tensors.putIfAbsent(name, new Location(file, stored));
                if (previous != null) {
                    problems.add("tensor " + name + " is defined twice (as " + previous.storedName() + " in "
                            + previous.file().source() + " and as " + stored + " in " + file.source() + ")");
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidCheckpointException(source.toString(), problems);
        }
        return new Checkpoint(source.toString(), files, tensors);
    }

    /** Returns the CLIP4Clip name for a stored name: raw OpenAI CLIP names gain the {@code clip.} prefix. */
    public static String canonicalName(String storedName) {
        if (storedName.startsWith(CLIP_PREFIX)) {
            return storedName;
        }
        for (String root : RAW_CLIP_ROOTS) {
            if (storedName.startsWith(root)) {
                return CLIP_PREFIX + storedName;
            }
        }
        return storedName;
    }

    /** Returns where the tensors come from, for messages. */
    public String source() {
        return source;
    }

    /** Returns every tensor's shape by CLIP4Clip name, in name order. */
    public Map<String, long[]> shapes() {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        tensors.forEach((name, location) -> shapes.put(name, info(location).shape()));
        return shapes;
    }

    /** Returns the names of tensors whose dtype is not floating point (weights must all be floating point). */
    public SortedSet<String> nonFloatingPoint() {
        SortedSet<String> names = new TreeSet<>();
        tensors.forEach((name, location) -> {
            if (!info(location).dtype().isFloatingPoint()) {
                names.add(name);
            }
        });
        return names;
    }

    /** Returns whether the checkpoint holds {@code name}. */
    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /** Returns the dtype and shape of {@code name}. */
    public TensorInfo info(String name) {
        return info(location(name));
    }

    /** Decodes tensor {@code name} to float32 (F16 and BF16 widened exactly). */
    public float[] floats(String name) {
        Location location = location(name);
        return location.file().floats(location.storedName());
    }

    private Location location(String name) {
        Location location = tensors.get(name);
        if (location == null) {
            throw new IllegalArgumentException("checkpoint " + source + " has no tensor " + name);
        }
        return location;
    }

    private static TensorInfo info(Location location) {
        return location.file().info(location.storedName());
    }

    /** Closes every underlying file. */
    @Override
    public void close() {
        IOException failure = null;
        for (SafetensorsFile file : files) {
            try {
                file.close();
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw new UncheckedIOException("cannot close checkpoint " + source, failure);
        }
    }
}
