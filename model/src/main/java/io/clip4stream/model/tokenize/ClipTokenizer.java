package io.clip4stream.model.tokenize;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CLIP's tokenizer ({@code simple_tokenizer.py}, identical in CLIP4Clip) and CLIP4Clip's {@code _get_text} layout.
 *
 * <p>Text is cleaned ({@link ClipTextCleaner}), split by CLIP's pre-tokenizer pattern, each piece is UTF-8 encoded into
 * the byte alphabet and merged by BPE rank. Instances are immutable apart from a bounded concurrent cache of merged
 * words, so one tokenizer can serve every thread.
 */
public final class ClipTokenizer {

    /**
     * Characters of input considered; the rest is ignored.
     *
     * <p>The text encoder sees at most 77 positions (CLIP4Clip uses 32 to 64), and every BPE token of ordinary text
     * consumes at least one character, so 10,000 characters hold every token that survives truncation unless the
     * caption is mostly whitespace or markup. The cap bounds the work hostile query text can cause: cleaning and the
     * pre-tokenizer are linear, but BPE is quadratic in the length of a single word.
     */
    public static final int MAX_INPUT_CHARS = 10_000;

    /**
     * CLIP's pre-tokenizer; Python compiles it with {@code regex.IGNORECASE} and Unicode {@code \s}.
     *
     * <p>Under IGNORECASE the {@code regex} module matches U+0345 (whose case partner Ι is a letter) with no
     * alternative, so Python silently drops it; excluding it from the last class reproduces that.
     */
    private static final Pattern PRE_TOKENIZER = Pattern.compile(
            "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}\\u0345]+",
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.UNICODE_CHARACTER_CLASS);

    /** Enough for the working vocabulary of a caption stream; past it, words are merged without caching. */
    private static final int MAX_CACHED_WORDS = 100_000;

    /** Longer pieces are rare (URLs, hashes) and cheap to recompute relative to the memory they would pin. */
    private static final int MAX_CACHED_WORD_CHARS = 64;

    private final BpeVocabulary vocabulary;
    private final ClipTextCleaner cleaner;
    private final ByteLevelAlphabet alphabet = new ByteLevelAlphabet();
    private final Map<String, List<String>> wordCache = new ConcurrentHashMap<>();
    private final int startOfTextId;
    private final int endOfTextId;

    /** Creates a tokenizer from a vocabulary and a text cleaner. */
    public ClipTokenizer(BpeVocabulary vocabulary, ClipTextCleaner cleaner) {
        this.vocabulary = Objects.requireNonNull(vocabulary, "vocabulary");
        this.cleaner = Objects.requireNonNull(cleaner, "cleaner");
        this.startOfTextId = vocabulary.id(BpeVocabulary.START_OF_TEXT);
        this.endOfTextId = vocabulary.id(BpeVocabulary.END_OF_TEXT);
    }

    /** Creates a tokenizer with the bundled CLIP vocabulary and HTML entity table. */
    public static ClipTokenizer withBundledVocabulary() {
        return new ClipTokenizer(BpeVocabulary.bundled(), new ClipTextCleaner(HtmlUnescaper.withBundledEntities()));
    }

    /** Creates a tokenizer with the gzip-compressed CLIP-format vocabulary at {@code vocabularyFile}. */
    public static ClipTokenizer withVocabularyFile(Path vocabularyFile) throws IOException {
        return new ClipTokenizer(
                BpeVocabulary.fromFile(vocabularyFile), new ClipTextCleaner(HtmlUnescaper.withBundledEntities()));
    }

    /** Returns the BPE token strings of {@code text}, as {@code SimpleTokenizer.tokenize} does (no start/end tokens). */
    public List<String> bpeTokens(String text) {
        return List.copyOf(tokens(text, Integer.MAX_VALUE));
    }

    /** Returns the ids of {@link #bpeTokens}, without start or end tokens. */
    public int[] encode(String text) {
        return ids(tokens(text, Integer.MAX_VALUE));
    }

    /**
     * Lays out {@code caption} as CLIP4Clip's {@code _get_text}: start token and BPE tokens cut to {@code maxWords - 1}
     * entries, then the end token (always present), then zeros to {@code maxWords}.
     */
    public TokenizedText tokenize(String caption, int maxWords) {
        if (maxWords < 2) {
            throw new IllegalArgumentException("maxWords must leave room for start and end tokens, got " + maxWords);
        }
        int[] body = ids(tokens(caption, maxWords - 2));
        int[] inputIds = new int[maxWords];
        int[] inputMask = new int[maxWords];
        inputIds[0] = startOfTextId;
        System.arraycopy(body, 0, inputIds, 1, body.length);
        inputIds[body.length + 1] = endOfTextId;
        Arrays.fill(inputMask, 0, body.length + 2, 1);
        return new TokenizedText(inputIds, inputMask);
    }

    /** Returns the id of {@code <|startoftext|>} (49406 for CLIP). */
    public int startOfTextId() {
        return startOfTextId;
    }

    /** Returns the id of {@code <|endoftext|>} (49407 for CLIP). */
    public int endOfTextId() {
        return endOfTextId;
    }

    /** Returns the first {@code limit} BPE tokens, stopping early so truncated captions cost no more than needed. */
    private List<String> tokens(String text, int limit) {
        Objects.requireNonNull(text, "text");
        String cleaned = cleaner.clean(capped(text));
        List<String> tokens = new ArrayList<>();
        Matcher matcher = PRE_TOKENIZER.matcher(cleaned);
        while (tokens.size() < limit && matcher.find()) {
            String piece = matcher.group();
            if (piece.equals(BpeVocabulary.START_OF_TEXT) || piece.equals(BpeVocabulary.END_OF_TEXT)) {
                // simple_tokenizer seeds its cache with both, so they pass through as single tokens.
                tokens.add(piece);
            } else {
                tokens.addAll(bpe(alphabet.encode(piece)));
            }
        }
        return tokens.size() > limit ? tokens.subList(0, limit) : tokens;
    }

    private int[] ids(List<String> tokens) {
        int[] ids = new int[tokens.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = vocabulary.id(tokens.get(i));
        }
        return ids;
    }

    private static String capped(String text) {
        if (text.length() <= MAX_INPUT_CHARS) {
            return text;
        }
        int end = MAX_INPUT_CHARS;
        // Never split a surrogate pair.
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end);
    }

    private List<String> bpe(String word) {
        List<String> cached = wordCache.get(word);
        if (cached != null) {
            return cached;
        }
        List<String> merged = List.copyOf(merge(word));
        if (word.length() <= MAX_CACHED_WORD_CHARS && wordCache.size() < MAX_CACHED_WORDS) {
            wordCache.putIfAbsent(word, merged);
        }
        return merged;
    }

    /**
     * {@code SimpleTokenizer.bpe}: repeatedly merge every occurrence, left to right, of the lowest-ranked adjacent pair.
     *
     * <p>The original rescans the whole word per merge, quadratic in its length; this keeps the symbols in a linked
     * list and the candidate pairs in a heap ordered by (rank, position), O(n log n). A round takes every heap entry of
     * the lowest rank and applies them left to right, skipping entries a previous merge invalidated, which is exactly
     * the original's left-to-right pass. A merge of (a, b) cannot create another (a, b) pair, so the pairs it creates
     * belong to later rounds, as they do in the original.
     */
    private List<String> merge(String word) {
        int length = word.length();
        String[] symbols = new String[length];
        int[] next = new int[length];
        int[] previous = new int[length];
        for (int i = 0; i < length; i++) {
            symbols[i] = String.valueOf(word.charAt(i));
            next[i] = i + 1 < length ? i + 1 : -1;
            previous[i] = i - 1;
        }
        symbols[length - 1] = symbols[length - 1] + BpeVocabulary.END_OF_WORD;
        PriorityQueue<Long> candidates = new PriorityQueue<>();
        for (int i = 0; i + 1 < length; i++) {
            offerPair(candidates, symbols, i, i + 1);
        }
        List<Integer> round = new ArrayList<>();
        while (!candidates.isEmpty()) {
            long first = candidates.poll();
            int rank = (int) (first >>> 32);
            round.clear();
            round.add((int) first);
            while (!candidates.isEmpty() && (int) (candidates.peek() >>> 32) == rank) {
                round.add((int) (long) candidates.poll());
            }
            for (int left : round) {
                int right = symbols[left] == null ? -1 : next[left];
                if (right < 0 || vocabulary.rank(symbols[left], symbols[right]) != rank) {
                    continue; // an earlier merge consumed or changed one side of this pair
                }
                symbols[left] = symbols[left] + symbols[right];
                symbols[right] = null;
                next[left] = next[right];
                if (next[left] >= 0) {
                    previous[next[left]] = left;
                    offerPair(candidates, symbols, left, next[left]);
                }
                if (previous[left] >= 0) {
                    offerPair(candidates, symbols, previous[left], left);
                }
            }
        }
        List<String> merged = new ArrayList<>();
        for (int i = 0; i >= 0; i = next[i]) {
            merged.add(symbols[i]);
        }
        return merged;
    }

    private void offerPair(PriorityQueue<Long> candidates, String[] symbols, int left, int right) {
        int rank = vocabulary.rank(symbols[left], symbols[right]);
        if (rank >= 0) {
            candidates.add(((long) rank << 32) | left);
        }
    }
}
