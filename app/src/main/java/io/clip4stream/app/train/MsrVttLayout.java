package io.clip4stream.app.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The original code's MSR-VTT layout: {@code MSRVTT_data.json} (its {@code sentences}: video id and caption),
 * {@code MSRVTT_train.9k.csv} (column {@code video_id}), {@code MSRVTT_JSFUSION_test.csv} (columns {@code video_id},
 * {@code sentence}: the 1k-A test, one caption per video) and the videos as {@code <video_id>.mp4} in {@code videos/}
 * (or {@code MSRVTT_Videos/}, or the folder itself).
 */
public final class MsrVttLayout {

    /** The data file with every caption. */
    public static final String DATA_JSON = "MSRVTT_data.json";

    /** The 9k training split. */
    public static final String TRAIN_CSV = "MSRVTT_train.9k.csv";

    /** The 1k-A test split. */
    public static final String TEST_CSV = "MSRVTT_JSFUSION_test.csv";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private MsrVttLayout() {}

    /** Returns whether {@code dir} looks like the MSR-VTT layout (it holds {@link #DATA_JSON} or a split csv). */
    public static boolean recognises(Path dir) {
        return Files.isDirectory(dir)
                && (Files.isRegularFile(dir.resolve(DATA_JSON)) || Files.isRegularFile(dir.resolve(TEST_CSV)));
    }

    /** Reads split {@code train} (every caption of each 9k video) or {@code test} (1k-A pairs). */
    public static List<CaptionedClip> read(Path dir, String split) {
        Path videos = videoFolder(dir);
        return switch (split) {
            case "train" -> train(dir, videos);
            case "test" -> test(dir, videos);
            default -> throw new TrainingDataException("unknown MSR-VTT split '" + split + "' (train or test)");
        };
    }

    private static List<CaptionedClip> train(Path dir, Path videos) {
        List<String> ids = new ArrayList<>();
        for (Map<String, String> row : csv(dir.resolve(TRAIN_CSV))) {
            ids.add(required(row, "video_id", dir.resolve(TRAIN_CSV)));
        }
        Path data = dir.resolve(DATA_JSON);
        Map<String, List<String>> captions = new LinkedHashMap<>();
        JsonNode root;
        try {
            root = JSON.readTree(data.toFile());
        } catch (IOException e) {
            throw new TrainingDataException("cannot read " + data + ": " + e.getMessage(), e);
        }
        for (JsonNode sentence : root.path("sentences")) {
            captions.computeIfAbsent(sentence.path("video_id").asText(), k -> new ArrayList<>())
                    .add(sentence.path("caption").asText());
        }
        List<CaptionedClip> out = new ArrayList<>();
        for (String id : ids) {
            List<String> texts = captions.get(id);
            if (texts == null || texts.isEmpty()) {
                throw new TrainingDataException(data + " has no caption for training video " + id);
            }
            out.add(clip(id, videos, texts));
        }
        if (out.isEmpty()) {
            throw new TrainingDataException(dir.resolve(TRAIN_CSV) + " lists no video");
        }
        return out;
    }

    private static List<CaptionedClip> test(Path dir, Path videos) {
        Path file = dir.resolve(TEST_CSV);
        List<CaptionedClip> out = new ArrayList<>();
        for (Map<String, String> row : csv(file)) {
            out.add(clip(required(row, "video_id", file), videos, List.of(required(row, "sentence", file))));
        }
        if (out.isEmpty()) {
            throw new TrainingDataException(file + " lists no video");
        }
        return out;
    }

    private static CaptionedClip clip(String id, Path videos, List<String> captions) {
        Path video = videos.resolve(id + ".mp4");
        if (!Files.isRegularFile(video)) {
            throw new TrainingDataException("MSR-VTT video " + id + " is missing: no " + video);
        }
        return new CaptionedClip(id, video, 0, Double.POSITIVE_INFINITY, captions);
    }

    private static Path videoFolder(Path dir) {
        for (String name : List.of("videos", "MSRVTT_Videos", "videos/all")) {
            if (Files.isDirectory(dir.resolve(name))) {
                return dir.resolve(name);
            }
        }
        return dir;
    }

    private static String required(Map<String, String> row, String column, Path file) {
        String value = row.get(column);
        if (value == null || value.isBlank()) {
            throw new TrainingDataException(file + ": a row lacks '" + column + "'");
        }
        return value;
    }

    /** Reads a simple comma-separated file with a header row; fields may be double-quoted. */
    private static List<Map<String, String>> csv(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new TrainingDataException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (lines.isEmpty()) {
            throw new TrainingDataException(file + " is empty");
        }
        List<String> header = fields(lines.get(0));
        List<Map<String, String>> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            List<String> values = fields(lines.get(i));
            Map<String, String> row = new LinkedHashMap<>();
            for (int c = 0; c < header.size() && c < values.size(); c++) {
                row.put(header.get(c).strip(), values.get(c));
            }
            rows.add(row);
        }
        return rows;
    }

    private static List<String> fields(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                out.add(field.toString());
                field.setLength(0);
            } else {
                field.append(c);
            }
        }
        out.add(field.toString());
        return out;
    }
}
