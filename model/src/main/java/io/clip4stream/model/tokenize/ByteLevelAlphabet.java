package io.clip4stream.model.tokenize;

import java.nio.charset.StandardCharsets;

/**
 * GPT-2's reversible byte-to-character table ({@code bytes_to_unicode}): printable Latin-1 bytes map to themselves, the
 * other 68 bytes to U+0100 onwards, so BPE can work on strings without whitespace or control characters.
 */
final class ByteLevelAlphabet {

    private final char[] byteToChar = new char[256];

    /** Builds the table in the order CLIP's vocabulary lists it. */
    ByteLevelAlphabet() {
        boolean[] printable = new boolean[256];
        for (int b = 0; b < 256; b++) {
            printable[b] = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
        }
        int next = 256;
        for (int b = 0; b < 256; b++) {
            byteToChar[b] = printable[b] ? (char) b : (char) next++;
        }
    }

    /** Returns the 256 characters in vocabulary order: the printable bytes ascending, then the remapped ones. */
    String vocabularyOrder() {
        StringBuilder printableFirst = new StringBuilder(256);
        StringBuilder remapped = new StringBuilder(68);
        for (int b = 0; b < 256; b++) {
            (byteToChar[b] == b ? printableFirst : remapped).append(byteToChar[b]);
        }
        return printableFirst.append(remapped).toString();
    }

    /** Encodes {@code token} as UTF-8 and maps each byte to its character. */
    String encode(String token) {
        byte[] utf8 = token.getBytes(StandardCharsets.UTF_8);
        char[] out = new char[utf8.length];
        for (int i = 0; i < utf8.length; i++) {
            out[i] = byteToChar[utf8[i] & 0xFF];
        }
        return new String(out);
    }
}
