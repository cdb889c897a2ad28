package io.clip4stream.model.convert;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.clip4stream.model.tokenize.BpeVocabulary;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * A Hugging Face CLIP tokenizer ({@code vocab.json} + {@code merges.txt}) turned into the gzip BPE vocabulary format
 * that {@link BpeVocabulary} reads, after checking that its token ids are the ones CLIP derives from the merges.
 */
public final class HuggingFaceTokenizer {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private HuggingFaceTokenizer() {}

    /**
     * Writes the merges of {@code mergesTxt} as a gzip vocabulary at {@code out}, then reads it back and checks every
     * id of {@code vocabJson} against it.
     *
     * @throws CheckpointFormatException when the files are not a CLIP tokenizer or their ids differ from CLIP's
     */
    public static void writeBpeVocabulary(Path vocabJson, Path mergesTxt, Path out) throws IOException {
        List<String> lines = Files.readAllLines(mergesTxt, StandardCharsets.UTF_8);
        // transformers writes "#version: 0.2" first; CLIP's file has a header line too, which its reader skips.
        List<String> merges =
                !lines.isEmpty() && lines.get(0).startsWith("#version") ? lines.subList(1, lines.size()) : lines;
        Path partial = out.resolveSibling(out.getFileName() + ".partial");
        try (OutputStream file = Files.newOutputStream(partial);
                Writer writer = new java.io.OutputStreamWriter(new GZIPOutputStream(file), StandardCharsets.UTF_8)) {
            writer.write("#version: 0.2 - converted from " + mergesTxt.getFileName() + "\n");
            for (String merge : merges) {
                writer.write(merge);
                writer.write('\n');
            }
        }
        BpeVocabulary vocabulary;
        try {
            vocabulary = BpeVocabulary.fromFile(partial);
        } catch (IOException e) {
            Files.deleteIfExists(partial);
            throw new CheckpointFormatException(mergesTxt + " is not a CLIP merges file: " + e.getMessage(), e);
        }
        Map<String, Integer> ids = JSON.readValue(vocabJson.toFile(), new TypeReference<Map<String, Integer>>() {});
        String mismatch = null;
        if (ids.size() != vocabulary.size()) {
            mismatch = vocabJson + " has " + ids.size() + " tokens, CLIP's vocabulary has " + vocabulary.size();
        }
        for (Map.Entry<String, Integer> token : ids.entrySet()) {
            if (mismatch != null) {
                break;
            }
            int expected;
            try {
                expected = vocabulary.id(token.getKey());
            } catch (IllegalArgumentException e) {
                mismatch = "token '" + token.getKey() + "' of " + vocabJson + " does not follow from " + mergesTxt;
                break;
            }
            if (expected != token.getValue()) {
                mismatch = "token '" + token.getKey() + "' has id " + token.getValue() + " in " + vocabJson
                        + " but CLIP's tokenizer gives it " + expected;
            }
        }
        if (mismatch != null) {
            Files.deleteIfExists(partial);
            throw new CheckpointFormatException("not a CLIP tokenizer: " + mismatch);
        }
        Files.move(partial, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
