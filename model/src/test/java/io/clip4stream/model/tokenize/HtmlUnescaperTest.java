package io.clip4stream.model.tokenize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Expected values were produced by Python 3.11's {@code html.unescape}. */
class HtmlUnescaperTest {

    private static final HtmlUnescaper UNESCAPER = HtmlUnescaper.withBundledEntities();

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            &amp;                  | &
            &amp                   | &
            &ampx                  | &x
            &notit;                | \u00acit;
            &notin;                | \u2209
            &not                   | \u00ac
            &#0;                   | \ufffd
            &#x80;                 | \u20ac
            &#150;                 | \u2013
            &#xD800;               | \ufffd
            &#99999999999999999999;| \ufffd
            &#x110000;             | \ufffd
            &#13;                  | "\r"
            &#x1F600;              | \ud83d\ude00
            &#65                   | A
            &AElig                 | \u00c6
            &Eacute;               | \u00c9
            &unknown;              | &unknown;
            &#;                    | &#;
            &#x;                   | &#x;
            a&lt;b&gt;c            | a<b>c
            &amp;amp;              | &amp;
            &hellip;&NotNestedGreaterGreater; | \u2026\u2aa2\u0338
            &ThickSpace;           | "\u205f\u200a"
            """)
    void shouldUnescapeLikePython(String escaped, String expected) {
        assertEquals(expected, UNESCAPER.unescape(escaped));
    }

    @Test
    void shouldDropInvalidCodePointsAndKeepTextWithoutReferences() {
        assertEquals("", UNESCAPER.unescape("&#1;"));
        assertEquals("", UNESCAPER.unescape("&#11;"));
        assertEquals("", UNESCAPER.unescape("&#x10FFFF;"));
        assertEquals("", UNESCAPER.unescape("&#xFFFE;"));
        assertEquals("& amp;", UNESCAPER.unescape("& amp;"));
        assertEquals("&", UNESCAPER.unescape("&"));
        String long32 = "&" + "a".repeat(40) + ";";
        assertEquals(long32, UNESCAPER.unescape(long32));
    }

    @Test
    void shouldBundleTheFullHtml5Table() {
        assertEquals(2231, UNESCAPER.names().size());
        assertTrue(UNESCAPER.names().contains("amp"));
        assertTrue(UNESCAPER.names().contains("zwnj;"));
    }
}
