package io.clip4stream.app.train;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clip4stream.model.weights.SafetensorsFile;
import io.clip4stream.model.weights.SafetensorsWriter;
import io.clip4stream.model.weights.TensorData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A resumable training state in {@code OUT/checkpoint/}: a full model directory (config.json, weights.safetensors),
 * the optimizer's moments ({@code optimizer.safetensors}) and where the run stands ({@code state.json}).
 *
 * <p>Written to a sibling folder and swapped in by renames, so a crash while writing leaves the previous checkpoint
 * (as {@code checkpoint} or {@code checkpoint.old}) intact.
 */
public final class TrainingCheckpoint {

    /** The folder name inside the output directory. */
    public static final String FOLDER = "checkpoint";

    /** The optimizer state file. */
    public static final String OPTIMIZER_FILE = "optimizer.safetensors";

    /** The position file. */
    public static final String STATE_FILE = "state.json";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private TrainingCheckpoint() {}

    /**
     * Where a run stands.
     *
     * @param epoch the epoch being trained (from 0)
     * @param batchInEpoch the next batch of that epoch
     * @param optimizerStep optimizer steps taken in all
     * @param history everything else the run wants back (evaluations, best epoch), as JSON
     */
    public record Position(int epoch, int batchInEpoch, long optimizerStep, ObjectNode history) {}

    /**
     * Writes a checkpoint into {@code out/checkpoint}: {@code writeModel} fills a folder with the model directory, then
     * the optimizer state and position are added.
     */
    public static void write(Path out, ModelWriter writeModel, Map<String, NDArray> optimizerState, Position position) {
        Path target = out.resolve(FOLDER);
        Path partial = out.resolve(FOLDER + ".partial");
        Path old = out.resolve(FOLDER + ".old");
        try {
            deleteTree(partial);
            writeModel.write(partial);
            Map<String, TensorData> moments = new LinkedHashMap<>();
            optimizerState.forEach((name, array) ->
                    moments.put(name, TensorData.f32(array.getShape().getShape(), array.toFloatArray())));
            new SafetensorsWriter().write(partial.resolve(OPTIMIZER_FILE), moments, Map.of("format", "bertadam"));
            ObjectNode state = JSON.createObjectNode();
            state.put("epoch", position.epoch());
            state.put("batch_in_epoch", position.batchInEpoch());
            state.put("optimizer_step", position.optimizerStep());
            state.set("history", position.history());
            Files.writeString(
                    partial.resolve(STATE_FILE),
                    JSON.writerWithDefaultPrettyPrinter().writeValueAsString(state),
                    StandardCharsets.UTF_8);
            deleteTree(old);
            if (Files.exists(target)) {
                Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            deleteTree(old);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the training checkpoint in " + target, e);
        }
    }

    /** Writes a model directory into a folder. */
    @FunctionalInterface
    public interface ModelWriter {
        /** Writes config.json and weights.safetensors into {@code dir}. */
        void write(Path dir) throws IOException;
    }

    /**
     * Returns the checkpoint folder to resume from: {@code dir} itself when it holds {@code state.json}, else {@code
     * dir/checkpoint}, else {@code dir/checkpoint.old} (a crash between the two renames).
     */
    public static Optional<Path> locate(Path dir) {
        for (Path candidate : new Path[] {dir, dir.resolve(FOLDER), dir.resolve(FOLDER + ".old")}) {
            if (Files.isRegularFile(candidate.resolve(STATE_FILE))
                    && Files.isRegularFile(candidate.resolve(OPTIMIZER_FILE))) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** Reads the position of the checkpoint in {@code dir}. */
    public static Position position(Path dir) {
        try {
            JsonNode state = JSON.readTree(dir.resolve(STATE_FILE).toFile());
            JsonNode history = state.path("history");
            return new Position(
                    state.path("epoch").asInt(),
                    state.path("batch_in_epoch").asInt(),
                    state.path("optimizer_step").asLong(),
                    history.isObject() ? (ObjectNode) history : JSON.createObjectNode());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir.resolve(STATE_FILE), e);
        }
    }

    /** Reads the optimizer moments of the checkpoint in {@code dir}. */
    public static Map<String, float[]> moments(Path dir) {
        try (SafetensorsFile file = SafetensorsFile.open(dir.resolve(OPTIMIZER_FILE))) {
            Map<String, float[]> out = new LinkedHashMap<>();
            for (String name : file.names()) {
                out.put(name, file.floats(name));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir.resolve(OPTIMIZER_FILE), e);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
