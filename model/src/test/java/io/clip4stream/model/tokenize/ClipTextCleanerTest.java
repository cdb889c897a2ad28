package io.clip4stream.model.tokenize;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Expected values were produced by Python 3.11 ({@code str.lower}, {@code str.strip}, {@code regex} {@code \s}). */
class ClipTextCleanerTest {

    private final ClipTextCleaner cleaner = new ClipTextCleaner(HtmlUnescaper.withBundledEntities());

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            \u0391\u03a3\u0664          | \u03b1\u03c2\u0664
            \u039f\u0394\u039f\u03a3.   | \u03bf\u03b4\u03bf\u03c2.
            \u03a3                      | \u03c3
            \u0391\u03a3'\u0392         | \u03b1\u03c3'\u03b2
            \u0391\u03a3'               | \u03b1\u03c2'
            \u0391'\u03a3               | \u03b1'\u03c2
            \u0391\u03a3\u0301          | \u03b1\u03c2\u0301
            \u0391\u03a3\u0301\u0392    | \u03b1\u03c3\u0301\u03b2
            \u0130STANBUL               | i\u0307stanbul
            \u01c5\u01c4                | \u01c6\u01c6
            \u03a3\u0391\u03a3 \u03a3\u0391\u03a3 | \u03c3\u03b1\u03c2 \u03c3\u03b1\u03c2
            """)
    void shouldLowerCaseLikePythonIncludingFinalSigma(String text, String expected) {
        assertEquals(expected, ClipTextCleaner.pythonLower(text));
    }

    @Test
    void shouldStripPythonSpaceButCollapseOnlyUnicodeWhiteSpace() {
        assertEquals("a\u001c b", cleaner.clean("\u001c a\u001c b \u001f"));
        assertEquals("x y\u200bz", cleaner.clean("\u0085x\u2007y\u200bz\u3000"));
        assertEquals("", cleaner.clean(" \t\n "));
    }

    @Test
    void shouldUnescapeTwiceThenLowerCase() {
        assertEquals("tom & jerry <b>", cleaner.clean("Tom &amp;amp; Jerry &amp;lt;B&amp;gt;"));
    }

    @Test
    void shouldReplaceUnpairedSurrogatesOnly() {
        assertEquals("a\ufffdb\ud83d\ude00\ufffd", ClipTextCleaner.replaceLoneSurrogates("a\ud800b\ud83d\ude00\ude00"));
        assertEquals("\ufffd\ud83d\ude00", ClipTextCleaner.replaceLoneSurrogates("\ud83d\ud83d\ude00"));
    }
}
