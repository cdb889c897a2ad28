package io.clip4stream.model.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Behaviour beyond the parity fixture; expected tokens were produced by the original tokenizer in Python. */
class ClipTokenizerTest {

    private static final ClipTokenizer TOKENIZER = ClipTokenizer.withBundledVocabulary();

    @Test
    void shouldDropCombiningYpogegrammeniAsPythonsRegexDoes() {
        assertEquals(List.of("a</w>", "b</w>"), TOKENIZER.bpeTokens("a\u0345b"));
        assertEquals(List.of(), TOKENIZER.bpeTokens("\u0345"));
    }

    @Test
    void shouldApplyPythonsFinalSigmaRule() {
        assertArrayEquals(
                new int[] {138, 109, 139, 480, 149, 353, 138, 123, 138, 112, 138, 123, 139, 480},
                TOKENIZER.encode("\u0391\u03a3\u0664 \u039f\u0394\u039f\u03a3"));
    }

    @Test
    void shouldMatchContractionsCaseInsensitively() {
        assertArrayEquals(new int[] {343, 6, 129, 379, 330}, TOKENIZER.encode("x'\u017f \u212a"));
        assertArrayEquals(new int[] {585, 568, 568, 1896}, TOKENIZER.encode("it's 'S 'D"));
    }

    @Test
    void shouldKeepSpecialTokensInsideCaptions() {
        assertArrayEquals(new int[] {518, 49406, 343}, TOKENIZER.encode("the <|startoftext|> x"));
        assertArrayEquals(new int[] {518, 49407, 343}, TOKENIZER.encode("The <|ENDOFTEXT|> X"));
    }

    @Test
    void shouldEncodeUnpairedSurrogatesAsReplacementCharacter() {
        assertArrayEquals(new int[] {39802}, TOKENIZER.encode("\ufffd"));
        assertArrayEquals(TOKENIZER.encode("\ufffd"), TOKENIZER.encode("\ud800"));
    }

    @Test
    void shouldLayOutShortAndTruncatedCaptions() {
        TokenizedText two = TOKENIZER.tokenize("a man is playing a guitar", 2);
        assertArrayEquals(new int[] {49406, 49407}, two.inputIds());
        TokenizedText four = TOKENIZER.tokenize("a man is playing a guitar", 4);
        assertArrayEquals(new int[] {49406, 320, 786, 49407}, four.inputIds());
        assertArrayEquals(new int[] {1, 1, 1, 1}, four.inputMask());
        TokenizedText padded = TOKENIZER.tokenize("running", 77);
        assertEquals(77, padded.maxWords());
        assertEquals(3, padded.length());
        assertArrayEquals(new int[] {49406, 2761, 49407}, java.util.Arrays.copyOf(padded.inputIds(), 3));
        assertEquals(0, padded.inputIds()[3]);
        assertEquals(0, padded.inputMask()[3]);
        TokenizedText empty = TOKENIZER.tokenize("", 5);
        assertArrayEquals(new int[] {49406, 49407, 0, 0, 0}, empty.inputIds());
        assertArrayEquals(new int[] {1, 1, 0, 0, 0}, empty.inputMask());
    }

    @Test
    void shouldRejectNullTextAndTooSmallMaxWords() {
        assertThrows(NullPointerException.class, () -> TOKENIZER.tokenize(null, 32));
        assertThrows(NullPointerException.class, () -> TOKENIZER.bpeTokens(null));
        assertThrows(IllegalArgumentException.class, () -> TOKENIZER.tokenize("a", 1));
    }

    @Test
    void shouldIgnoreCharactersBeyondTheInputCap() {
        String prefix = "a ".repeat(ClipTokenizer.MAX_INPUT_CHARS / 2);
        assertEquals(
                ClipTokenizer.MAX_INPUT_CHARS / 2,
                TOKENIZER.bpeTokens(prefix + "dog cat").size());
        assertEquals(TOKENIZER.tokenize(prefix, 32), TOKENIZER.tokenize(prefix + "dog cat", 32));
        // A surrogate pair straddling the cap is dropped whole rather than split.
        String straddling = "a".repeat(ClipTokenizer.MAX_INPUT_CHARS - 1) + "\ud83d\ude00";
        assertEquals(
                TOKENIZER.bpeTokens("a".repeat(ClipTokenizer.MAX_INPUT_CHARS - 1)), TOKENIZER.bpeTokens(straddling));
    }

    @Test
    void shouldMergeLongWordsLikeTheOriginal() {
        // Python: SimpleTokenizer().tokenize("ab" * 6) and ("a" * 9).
        assertEquals(List.of("ab", "ab", "ab", "ab", "ab", "ab</w>"), TOKENIZER.bpeTokens("ab".repeat(6)));
        assertEquals(List.of("aaaaaaaa", "a</w>"), TOKENIZER.bpeTokens("a".repeat(9)));
    }

    @Test
    void shouldLoadAVocabularyFromAFile() throws IOException, URISyntaxException {
        Path vocabulary = Path.of(
                BpeVocabulary.class.getResource(BpeVocabulary.BUNDLED_RESOURCE).toURI());
        ClipTokenizer fromFile = ClipTokenizer.withVocabularyFile(vocabulary);
        assertEquals(
                TOKENIZER.tokenize("A woman is slicing an onion.", 32),
                fromFile.tokenize("A woman is slicing an onion.", 32));
        assertEquals(49408, BpeVocabulary.fromFile(vocabulary).size());
    }

    @Test
    void shouldGiveTheSameResultsFromManyThreads() throws Exception {
        List<String> captions = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            captions.add("caption number " + i + " about a dog" + "s".repeat(i % 7) + " playing ball");
        }
        ClipTokenizer fresh = ClipTokenizer.withBundledVocabulary();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<TokenizedText>> futures = new ArrayList<>();
            for (int round = 0; round < 5; round++) {
                for (String caption : captions) {
                    futures.add(pool.submit(() -> fresh.tokenize(caption, 32)));
                }
            }
            for (int i = 0; i < futures.size(); i++) {
                assertEquals(
                        TOKENIZER.tokenize(captions.get(i % captions.size()), 32),
                        futures.get(i).get());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
