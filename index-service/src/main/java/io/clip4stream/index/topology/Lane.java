package io.clip4stream.index.topology;

import java.util.Objects;

/**
 * Which of a source's frame streams an event belongs to: the source's own stream, or a re-encoding of its kept media
 * for a model version with another CLIP visual encoder. The assembler buffers each lane apart, so a re-encoding never
 * mixes its frames with the source's own.
 *
 * @param sourceId the source
 * @param reencodeFor the model version being re-encoded for; null for the source's own stream
 */
record Lane(String sourceId, String reencodeFor) {

    /**
     * Separates a source id from a version in a lane's store key. Source ids are {@code [A-Za-z0-9._-]}, and it sorts
     * after the NUL of the frame keys, so a source's own frames and its lanes never share a key range.
     */
    static final char SEPARATOR = '\u0001';

    /** Validates the lane. */
    Lane {
        Objects.requireNonNull(sourceId, "sourceId");
    }

    /** The lane of an event of {@code sourceId} carrying {@code reencodeFor} (null for the source's own stream). */
    static Lane of(CharSequence sourceId, CharSequence reencodeFor) {
        return new Lane(sourceId.toString(), reencodeFor == null ? null : reencodeFor.toString());
    }

    /** Whether this is a re-encoding. */
    boolean reencode() {
        return reencodeFor != null;
    }

    /** The lane's key in the assembler's stores: the source id, or the source id and the version. */
    String key() {
        return reencodeFor == null ? sourceId : sourceId + SEPARATOR + reencodeFor;
    }

    /** The lane a store key names. */
    static Lane parse(String key) {
        int separator = key.indexOf(SEPARATOR);
        return separator < 0
                ? new Lane(key, null)
                : new Lane(key.substring(0, separator), key.substring(separator + 1));
    }

    /** The first key after every re-encoding lane of {@code sourceId} (the lanes are {@code [sourceId + SEP, this)}). */
    static String reencodeLanesEnd(String sourceId) {
        return sourceId + (char) (SEPARATOR + 1);
    }
}
