package io.clip4stream.model.convert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.clip4stream.model.tokenize.BpeVocabulary;
import io.clip4stream.model.tokenize.ClipTokenizer;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Hugging Face CLIP tokenizer ({@code vocab.json} + {@code merges.txt}, written here the way transformers lays them
 * out) becomes a vocabulary that tokenizes the tokenizer fixtures exactly as the bundled one does.
 */
class HuggingFaceTokenizerTest {

    @TempDir
    Path dir;

    private final JsonMapper json = JsonMapper.builder().build();
    private List<String> merges;

    @BeforeEach
    void writeHuggingFaceFiles() throws Exception {
        merges = new ArrayList<>();
        try (InputStream in = BpeVocabulary.class.getResourceAsStream(BpeVocabulary.BUNDLED_RESOURCE);
                BufferedReader reader =
                        new BufferedReader(new InputStreamReader(new GZIPInputStream(in), StandardCharsets.UTF_8))) {
            reader.readLine();
            for (String line = reader.readLine();
                    line != null && merges.size() < 49152 - 256 - 2;
                    line = reader.readLine()) {
                merges.add(line);
            }
        }
        Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\n" + String.join("\n", merges) + "\n");
        json.writeValue(dir.resolve("vocab.json").toFile(), vocabulary(merges));
    }

    /** transformers' CLIP vocabulary: GPT-2's byte characters, the same with {@code </w>}, merges, SOT, EOT. */
    private static Map<String, Integer> vocabulary(List<String> merges) {
        List<Integer> bytes = new ArrayList<>();
        for (int b = '!'; b <= '~'; b++) {
            bytes.add(b);
        }
        for (int b = 0xA1; b <= 0xAC; b++) {
            bytes.add(b);
        }
        for (int b = 0xAE; b <= 0xFF; b++) {
            bytes.add(b);
        }
        List<Integer> chars = new ArrayList<>(bytes);
        int extra = 0;
        for (int b = 0; b < 256; b++) {
            if (!bytes.contains(b)) {
                bytes.add(b);
                chars.add(256 + extra++);
            }
        }
        Map<String, Integer> ids = new LinkedHashMap<>();
        for (int c : chars) {
            ids.put(Character.toString(c), ids.size());
        }
        for (int c : chars) {
            ids.put(Character.toString(c) + "</w>", ids.size());
        }
        for (String merge : merges) {
            ids.put(merge.replace(" ", ""), ids.size());
        }
        ids.put("<|startoftext|>", ids.size());
        ids.put("<|endoftext|>", ids.size());
        return ids;
    }

    @Test
    void shouldTokenizeTheFixturesLikeTheBundledVocabulary() throws Exception {
        Path out = dir.resolve("bpe.txt.gz");
        HuggingFaceTokenizer.writeBpeVocabulary(dir.resolve("vocab.json"), dir.resolve("merges.txt"), out);
        ClipTokenizer converted = ClipTokenizer.withVocabularyFile(out);
        ClipTokenizer bundled = ClipTokenizer.withBundledVocabulary();
        JsonNode fixture;
        try (InputStream in = getClass().getResourceAsStream("/parity/tokenizer/tokenizer_cases.json")) {
            fixture = json.readTree(in);
        }
        for (JsonNode node : fixture.get("cases")) {
            String caption = node.get("caption").textValue();
            assertArrayEquals(
                    bundled.tokenize(caption, 32).inputIds(),
                    converted.tokenize(caption, 32).inputIds(),
                    caption);
        }
    }

    @Test
    void shouldRefuseAVocabularyWhoseIdsAreNotClips() throws Exception {
        Map<String, Integer> ids = vocabulary(merges);
        ids.put("<|endoftext|>", 3);
        json.writeValue(dir.resolve("vocab.json").toFile(), ids);
        Path out = dir.resolve("bpe.txt.gz");
        CheckpointFormatException error = assertThrows(
                CheckpointFormatException.class,
                () -> HuggingFaceTokenizer.writeBpeVocabulary(
                        dir.resolve("vocab.json"), dir.resolve("merges.txt"), out));
        assertTrue(error.getMessage().contains("'<|endoftext|>' has id 3"), error.getMessage());
        assertTrue(Files.notExists(out));
    }
}
