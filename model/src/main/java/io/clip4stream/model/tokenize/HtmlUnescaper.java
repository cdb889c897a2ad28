package io.clip4stream.model.tokenize;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces HTML character references exactly as Python's {@code html.unescape} does, which CLIP's text cleaning applies
 * twice.
 *
 * <p>That includes the HTML5 rules Python follows: named references without the semicolon where the standard allows
 * them (longest known prefix wins), Windows-1252 substitutes for numeric references 0x80–0x9F, U+FFFD for surrogates,
 * NUL and values above U+10FFFF, and the empty string for the other invalid code points.
 */
public final class HtmlUnescaper {

    private static final String ENTITY_TABLE = "html5_entities.tsv";

    /** Python's {@code html._charref}; {@code {1,32}} counts code points in both languages. */
    private static final Pattern CHARACTER_REFERENCE =
            Pattern.compile("&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\\t\\n\\f <&#;]{1,32};?)");

    private static final BigInteger MAX_CODE_POINT = BigInteger.valueOf(Character.MAX_CODE_POINT);

    /** Python's {@code html._invalid_charrefs}: numeric references replaced by a fixed string. */
    private static final Map<Integer, String> INVALID_REFERENCES = invalidReferences();

    private final Map<String, String> namedReferences;

    private HtmlUnescaper(Map<String, String> namedReferences) {
        this.namedReferences = Map.copyOf(namedReferences);
    }

    /** Loads the WHATWG named-reference table bundled next to this class. */
    public static HtmlUnescaper withBundledEntities() {
        try (InputStream in = HtmlUnescaper.class.getResourceAsStream(ENTITY_TABLE)) {
            if (in == null) {
                throw new IllegalStateException("bundled resource " + ENTITY_TABLE + " is missing from the classpath");
            }
            return new HtmlUnescaper(parseTable(in));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read bundled resource " + ENTITY_TABLE, e);
        }
    }

    /** Returns {@code text} with every character reference replaced. */
    public String unescape(String text) {
        if (text.indexOf('&') < 0) {
            return text;
        }
        Matcher matcher = CHARACTER_REFERENCE.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        int last = 0;
        while (matcher.find()) {
            out.append(text, last, matcher.start());
            out.append(replacement(matcher.group(1)));
            last = matcher.end();
        }
        out.append(text, last, text.length());
        return out.toString();
    }

    private String replacement(String reference) {
        if (reference.charAt(0) == '#') {
            return numericReplacement(reference);
        }
        String exact = namedReferences.get(reference);
        if (exact != null) {
            return exact;
        }
        // Python tries every prefix of at least two characters, longest first; names are ASCII, so UTF-16 indices
        // find the same prefix as Python's code-point indices.
        for (int length = reference.length() - 1; length > 1; length--) {
            String value = namedReferences.get(reference.substring(0, length));
            if (value != null) {
                return value + reference.substring(length);
            }
        }
        return "&" + reference;
    }

    private static String numericReplacement(String reference) {
        boolean hex = reference.length() > 1 && (reference.charAt(1) == 'x' || reference.charAt(1) == 'X');
        String digits = reference.substring(hex ? 2 : 1);
        if (digits.endsWith(";")) {
            digits = digits.substring(0, digits.length() - 1);
        }
        BigInteger value = new BigInteger(digits, hex ? 16 : 10);
        if (value.compareTo(MAX_CODE_POINT) > 0) {
            return "\uFFFD";
        }
        int codePoint = value.intValueExact();
        String invalid = INVALID_REFERENCES.get(codePoint);
        if (invalid != null) {
            return invalid;
        }
        if (codePoint >= 0xD800 && codePoint <= 0xDFFF) {
            return "\uFFFD";
        }
        if (isInvalidCodePoint(codePoint)) {
            return "";
        }
        return new String(Character.toChars(codePoint));
    }

    /** Python's {@code html._invalid_codepoints}. */
    private static boolean isInvalidCodePoint(int codePoint) {
        return (codePoint >= 0x1 && codePoint <= 0x8)
                || codePoint == 0xB
                || (codePoint >= 0xE && codePoint <= 0x1F)
                || (codePoint >= 0x7F && codePoint <= 0x9F)
                || (codePoint >= 0xFDD0 && codePoint <= 0xFDEF)
                || (codePoint & 0xFFFE) == 0xFFFE;
    }

    private static Map<Integer, String> invalidReferences() {
        Map<Integer, String> map = new HashMap<>();
        map.put(0x00, "\uFFFD");
        map.put(0x0D, "\r");
        String windows1252 = "\u20AC\u0081\u201A\u0192\u201E\u2026\u2020\u2021\u02C6\u2030\u0160\u2039\u0152\u008D"
                + "\u017D\u008F\u0090\u2018\u2019\u201C\u201D\u2022\u2013\u2014\u02DC\u2122\u0161\u203A\u0153\u009D"
                + "\u017E\u0178";
        for (int i = 0; i < windows1252.length(); i++) {
            map.put(0x80 + i, String.valueOf(windows1252.charAt(i)));
        }
        return Map.copyOf(map);
    }

    private static Map<String, String> parseTable(InputStream in) throws IOException {
        Map<String, String> table = new HashMap<>();
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String line;
        int lineNumber = 0;
        while ((line = reader.readLine()) != null) {
            lineNumber++;
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int tab = line.indexOf('\t');
            if (tab <= 0) {
                throw new IOException(ENTITY_TABLE + " line " + lineNumber + " has no name<TAB>value: " + line);
            }
            StringBuilder value = new StringBuilder();
            for (String hex : line.substring(tab + 1).split(" ")) {
                value.appendCodePoint(Integer.parseInt(hex, 16));
            }
            table.put(line.substring(0, tab), value.toString());
        }
        return table;
    }

    /** Returns the names of all known named references, for tests. */
    Set<String> names() {
        return namedReferences.keySet();
    }
}
