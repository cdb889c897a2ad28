package io.clip4stream.app.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.clip4stream.model.tokenize.ClipTokenizer;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A plain training manifest: JSON Lines of {@code {"video": path, "start": s, "end": s, "caption": text}}, paths
 * relative to the manifest's folder; {@code start}/{@code end} are optional (whole video). Lines naming the same video
 * and times form one clip with several captions.
 */
public final class TrainingManifest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private TrainingManifest() {}

    /** Reads {@code file}; every problem names its line. */
    public static List<CaptionedClip> read(Path file) {
        Path base = file.toAbsolutePath().getParent();
        Map<String, Builder> clips = new LinkedHashMap<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                String where = file + ":" + number;
                JsonNode node;
                try {
                    node = JSON.readTree(line);
                } catch (IOException e) {
                    throw new TrainingDataException(where + ": not a JSON object: " + e.getMessage(), e);
                }
                if (node == null || !node.isObject()) {
                    throw new TrainingDataException(where + ": not a JSON object");
                }
                String video = node.path("video").asText("");
                if (video.isBlank()) {
                    throw new TrainingDataException(where + ": 'video' (a path) is missing");
                }
                Path path = base.resolve(video).normalize();
                if (!Files.isRegularFile(path)) {
                    throw new TrainingDataException(where + ": video " + path + " does not exist");
                }
                double start = time(node, "start", 0.0, where);
                double end = time(node, "end", Double.POSITIVE_INFINITY, where);
                if (start < 0 || !(end > start)) {
                    throw new TrainingDataException(
                            where + ": bad times: start " + start + " s, end " + end + " s (need 0 <= start < end)");
                }
                String caption = node.path("caption").asText("").strip();
                if (caption.isEmpty()) {
                    throw new TrainingDataException(where + ": 'caption' is missing or empty");
                }
                if (caption.length() > ClipTokenizer.MAX_INPUT_CHARS) {
                    throw new TrainingDataException(where + ": caption is too long (" + caption.length()
                            + " characters; at most " + ClipTokenizer.MAX_INPUT_CHARS + ")");
                }
                String id =
                        video + (start == 0 && Double.isInfinite(end) ? "" : ":" + seconds(start) + "-" + seconds(end));
                clips.computeIfAbsent(id, k -> new Builder(k, path, start, end))
                        .captions
                        .add(caption);
            }
        } catch (IOException e) {
            throw new TrainingDataException("cannot read the manifest " + file + ": " + e.getMessage(), e);
        }
        if (clips.isEmpty()) {
            throw new TrainingDataException("the manifest " + file + " holds no clip");
        }
        List<CaptionedClip> out = new ArrayList<>();
        clips.values().forEach(b -> out.add(new CaptionedClip(b.id, b.video, b.start, b.end, b.captions)));
        return out;
    }

    private static double time(JsonNode node, String field, double absent, String where) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return absent;
        }
        if (!value.isNumber() || !Double.isFinite(value.asDouble())) {
            throw new TrainingDataException(where + ": '" + field + "' must be a number of seconds, got " + value);
        }
        return value.asDouble();
    }

    private static String seconds(double value) {
        return Double.isInfinite(value) ? "end" : String.format(Locale.ROOT, "%.3f", value);
    }

    private static final class Builder {
        final String id;
        final Path video;
        final double start;
        final double end;
        final List<String> captions = new ArrayList<>();

        Builder(String id, Path video, double start, double end) {
            this.id = id;
            this.video = video;
            this.start = start;
            this.end = end;
        }
    }
}
