package io.clip4stream.model.tokenize;

import java.util.Objects;

/**
 * CLIP's caption cleaning: {@code whitespace_clean(basic_clean(text)).lower()} with Python's string semantics.
 *
 * <p>{@code basic_clean} starts with {@code ftfy.fix_text}; it is the identity here. ftfy repairs mojibake, curly quotes,
 * ligatures and full-width forms, which well-formed UTF-8 captions from our own producers do not contain, and the parity
 * fixtures were generated with the same identity, so results are exact on text that ftfy would leave unchanged.
 */
public final class ClipTextCleaner {

    private final HtmlUnescaper htmlUnescaper;

    /** Creates a cleaner that unescapes HTML with {@code htmlUnescaper}. */
    public ClipTextCleaner(HtmlUnescaper htmlUnescaper) {
        this.htmlUnescaper = Objects.requireNonNull(htmlUnescaper, "htmlUnescaper");
    }

    /** Returns the cleaned, lower-cased text that CLIP's pre-tokenizer sees. */
    public String clean(String text) {
        Objects.requireNonNull(text, "text");
        String unescaped = htmlUnescaper.unescape(htmlUnescaper.unescape(replaceLoneSurrogates(text)));
        return pythonLower(pythonStrip(collapseWhitespace(pythonStrip(unescaped))));
    }

    /**
     * Replaces unpaired surrogates with U+FFFD.
     *
     * <p>Python cannot UTF-8 encode them and the original tokenizer raises; a Java string can carry them, and a query
     * should not fail on one stray code unit.
     */
    static String replaceLoneSurrogates(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean paired = Character.isHighSurrogate(c)
                    ? i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))
                    : !Character.isLowSurrogate(c) || (i > 0 && Character.isHighSurrogate(text.charAt(i - 1)));
            if (!paired && out == null) {
                out = new StringBuilder(text.length()).append(text, 0, i);
            }
            if (out != null) {
                out.append(paired ? c : '\uFFFD');
            }
        }
        return out == null ? text : out.toString();
    }

    /**
     * Python's {@code str.lower()}: each code point's full lowercase mapping, and U+03A3 in Python's Final_Sigma
     * context becomes ς.
     *
     * <p>{@code String.toLowerCase(Locale.ROOT)} is not used: it decides the final sigma with word boundaries, so
     * "ΑΣ٤" gets σ where Python gives ς. The only unconditional multi-character lowercase mapping is U+0130 → "i̇".
     */
    static String pythonLower(String text) {
        StringBuilder out = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); ) {
            int codePoint = text.codePointAt(i);
            if (codePoint == 0x130) {
                out.append("i\u0307");
            } else if (codePoint == 0x3A3) {
                out.append(isFinalSigma(text, i) ? '\u03C2' : '\u03C3');
            } else {
                out.appendCodePoint(Character.toLowerCase(codePoint));
            }
            i += Character.charCount(codePoint);
        }
        return out.toString();
    }

    /** CPython's {@code handle_capital_sigma}: {@code \p{cased} \p{case-ignorable}* Σ !(\p{case-ignorable}* \p{cased})}. */
    private static boolean isFinalSigma(String text, int sigmaIndex) {
        int before = sigmaIndex;
        int previous = -1;
        while (before > 0) {
            previous = text.codePointBefore(before);
            if (!isCaseIgnorable(previous)) {
                break;
            }
            before -= Character.charCount(previous);
            previous = -1;
        }
        if (previous < 0 || !isCased(previous)) {
            return false;
        }
        int after = sigmaIndex + 1;
        while (after < text.length()) {
            int next = text.codePointAt(after);
            if (!isCaseIgnorable(next)) {
                return !isCased(next);
            }
            after += Character.charCount(next);
        }
        return true;
    }

    /** Unicode's Cased property: Lowercase, Uppercase or titlecase letter. */
    static boolean isCased(int codePoint) {
        return Character.isLowerCase(codePoint) || Character.isUpperCase(codePoint) || Character.isTitleCase(codePoint);
    }

    /** Unicode's Case_Ignorable property: marks, format characters, modifiers and word-internal punctuation. */
    static boolean isCaseIgnorable(int codePoint) {
        switch (Character.getType(codePoint)) {
            case Character.NON_SPACING_MARK,
                    Character.ENCLOSING_MARK,
                    Character.FORMAT,
                    Character.MODIFIER_LETTER,
                    Character.MODIFIER_SYMBOL -> {
                return true;
            }
            default -> {
                // Word_Break MidLetter, MidNumLet and Single_Quote.
                return switch (codePoint) {
                    case 0x27,
                            0x2E,
                            0x3A,
                            0xB7,
                            0x387,
                            0x55F,
                            0x5F4,
                            0x2018,
                            0x2019,
                            0x2024,
                            0x2027,
                            0xFE13,
                            0xFE52,
                            0xFE55,
                            0xFF07,
                            0xFF0E,
                            0xFF1A -> true;
                    default -> false;
                };
            }
        }
    }

    /** Replaces every run of Unicode White_Space (the {@code regex} module's {@code \s}) with one space. */
    static String collapseWhitespace(String text) {
        StringBuilder out = new StringBuilder(text.length());
        boolean inRun = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (isRegexWhitespace(c)) {
                if (!inRun) {
                    out.append(' ');
                    inRun = true;
                }
            } else {
                out.append(c);
                inRun = false;
            }
        }
        return out.toString();
    }

    /** Python's {@code str.strip()}, which removes {@code str.isspace()} characters from both ends. */
    static String pythonStrip(String text) {
        int begin = 0;
        int end = text.length();
        while (begin < end && isPythonSpace(text.charAt(begin))) {
            begin++;
        }
        while (end > begin && isPythonSpace(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(begin, end);
    }

    /** The Unicode White_Space property; every such character is in the BMP. */
    static boolean isRegexWhitespace(char c) {
        return (c >= 0x09 && c <= 0x0D)
                || c == 0x20
                || c == 0x85
                || c == 0xA0
                || c == 0x1680
                || (c >= 0x2000 && c <= 0x200A)
                || c == 0x2028
                || c == 0x2029
                || c == 0x202F
                || c == 0x205F
                || c == 0x3000;
    }

    /** Python's {@code str.isspace()}: White_Space plus the information separators U+001C–U+001F. */
    static boolean isPythonSpace(char c) {
        return isRegexWhitespace(c) || (c >= 0x1C && c <= 0x1F);
    }
}
