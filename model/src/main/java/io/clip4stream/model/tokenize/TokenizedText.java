package io.clip4stream.model.tokenize;

import java.util.Arrays;
import java.util.Objects;

/**
 * A caption laid out as the CLIP4Clip dataloaders feed it to the text encoder: {@code <|startoftext|>}, BPE ids,
 * {@code <|endoftext|>}, then zero padding to {@code max_words}.
 *
 * @param inputIds token ids, length {@code max_words}
 * @param inputMask 1 for every id up to and including {@code <|endoftext|>}, 0 for padding; same length
 */
public record TokenizedText(int[] inputIds, int[] inputMask) {

    /** Validates matching lengths and copies both arrays. */
    public TokenizedText {
        Objects.requireNonNull(inputIds, "inputIds");
        Objects.requireNonNull(inputMask, "inputMask");
        if (inputIds.length != inputMask.length) {
            throw new IllegalArgumentException(
                    "inputIds has " + inputIds.length + " entries but inputMask has " + inputMask.length);
        }
        inputIds = inputIds.clone();
        inputMask = inputMask.clone();
    }

    /** Returns a copy of the ids. */
    @Override
    public int[] inputIds() {
        return inputIds.clone();
    }

    /** Returns a copy of the mask. */
    @Override
    public int[] inputMask() {
        return inputMask.clone();
    }

    /** Returns {@code max_words}, the padded length. */
    public int maxWords() {
        return inputIds.length;
    }

    /** Returns the number of unpadded positions, start and end tokens included. */
    public int length() {
        int length = 0;
        for (int bit : inputMask) {
            length += bit;
        }
        return length;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TokenizedText that
                && Arrays.equals(inputIds, that.inputIds)
                && Arrays.equals(inputMask, that.inputMask);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(inputIds) + Arrays.hashCode(inputMask);
    }

    @Override
    public String toString() {
        return "TokenizedText[inputIds=" + Arrays.toString(inputIds) + ", inputMask=" + Arrays.toString(inputMask)
                + "]";
    }
}
