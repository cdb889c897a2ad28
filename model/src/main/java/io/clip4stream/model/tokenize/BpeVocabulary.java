package io.clip4stream.model.tokenize;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.zip.GZIPInputStream;

/**
 * CLIP's BPE merge ranks and token ids, built from {@code bpe_simple_vocab_16e6.txt.gz} exactly as
 * {@code SimpleTokenizer.__init__} does: 48,894 merges after the header line; ids for the 256 byte characters, the same
 * with {@code </w>}, every merge result, then {@code <|startoftext|>} and {@code <|endoftext|>}.
 */
public final class BpeVocabulary {

    /** The file name of CLIP's vocabulary, bundled as a resource next to this class. */
    public static final String BUNDLED_RESOURCE = "bpe_simple_vocab_16e6.txt.gz";

    /** CLIP reads merges from lines 1 to 49152-256-2 inclusive; the file holds more lines than the model uses. */
    static final int MERGE_COUNT = 49152 - 256 - 2;

    static final String START_OF_TEXT = "<|startoftext|>";
    static final String END_OF_TEXT = "<|endoftext|>";
    static final String END_OF_WORD = "</w>";

    private final Map<String, Integer> mergeRanks;
    private final Map<String, Integer> tokenIds;

    private BpeVocabulary(Map<String, Integer> mergeRanks, Map<String, Integer> tokenIds) {
        this.mergeRanks = mergeRanks;
        this.tokenIds = tokenIds;
    }

    /** Loads the vocabulary bundled with this module. */
    public static BpeVocabulary bundled() {
        try (InputStream in = BpeVocabulary.class.getResourceAsStream(BUNDLED_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(
                        "bundled resource " + BUNDLED_RESOURCE + " is missing from the classpath");
            }
            return read(in, "bundled " + BUNDLED_RESOURCE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read bundled " + BUNDLED_RESOURCE, e);
        }
    }

    /** Loads a gzip-compressed vocabulary file in CLIP's format from {@code path}. */
    public static BpeVocabulary fromFile(Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            return read(in, path.toString());
        }
    }

    /** Reads a gzip-compressed vocabulary from {@code gzipped}, naming it {@code source} in errors. */
    public static BpeVocabulary read(InputStream gzipped, String source) throws IOException {
        Objects.requireNonNull(gzipped, "gzipped");
        List<String[]> merges = new ArrayList<>(MERGE_COUNT);
        try (BufferedReader reader =
                new BufferedReader(new InputStreamReader(new GZIPInputStream(gzipped), StandardCharsets.UTF_8))) {
            String header = reader.readLine();
            if (header == null) {
                throw new IOException(source + " is empty");
            }
            while (merges.size() < MERGE_COUNT) {
                String line = reader.readLine();
                if (line == null) {
                    throw new IOException(
                            source + " has " + merges.size() + " merges, CLIP's tokenizer needs " + MERGE_COUNT);
                }
                String[] pair = line.strip().split("\\s+");
                if (pair.length != 2) {
                    throw new IOException(source + " line " + (merges.size() + 2) + " is not a merge 'a b': " + line);
                }
                merges.add(pair);
            }
        }
        Map<String, Integer> ranks = HashMap.newHashMap(MERGE_COUNT);
        Map<String, Integer> ids = HashMap.newHashMap(2 * 256 + MERGE_COUNT + 2);
        String byteChars = new ByteLevelAlphabet().vocabularyOrder();
        for (int i = 0; i < byteChars.length(); i++) {
            ids.put(String.valueOf(byteChars.charAt(i)), ids.size());
        }
        for (int i = 0; i < byteChars.length(); i++) {
            ids.put(byteChars.charAt(i) + END_OF_WORD, ids.size());
        }
        for (int rank = 0; rank < merges.size(); rank++) {
            String[] pair = merges.get(rank);
            // Python builds both maps with dict(zip(...)), so a repeated entry keeps its last rank and id.
            ranks.put(pairKey(pair[0], pair[1]), rank);
            ids.put(pair[0] + pair[1], 2 * 256 + rank);
        }
        ids.put(START_OF_TEXT, 2 * 256 + MERGE_COUNT);
        ids.put(END_OF_TEXT, 2 * 256 + MERGE_COUNT + 1);
        return new BpeVocabulary(Map.copyOf(ranks), Map.copyOf(ids));
    }

    /** Returns the merge rank of the adjacent symbols {@code first second}, or -1 if they never merge. */
    int rank(String first, String second) {
        Integer rank = mergeRanks.get(pairKey(first, second));
        return rank == null ? -1 : rank;
    }

    /** Returns the id of {@code token}, failing with the token in the message if it is not in the vocabulary. */
    public int id(String token) {
        Integer id = tokenIds.get(token);
        if (id == null) {
            throw new IllegalArgumentException("token '" + token + "' is not in the CLIP vocabulary");
        }
        return id;
    }

    /** Returns the number of token ids (49,408 for CLIP). */
    public int size() {
        return 2 * 256 + MERGE_COUNT + 2;
    }

    /** Symbols never contain a space (the byte alphabet maps 0x20 to U+0120), so a space separates them safely. */
    private static String pairKey(String first, String second) {
        return first + ' ' + second;
    }
}
