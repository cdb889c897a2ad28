package io.clip4stream.runtime.kafka;

import java.util.Locale;
import java.util.Optional;

/** Where a model version stands in a model change, as recorded on the {@code models} topic. */
public enum ModelStatus {
    /** Published by {@code model deploy}: index instances build its vectors in the background. */
    DEPLOYED,
    /** Built and kept, not searched by default (a version that was active before the current one). */
    READY,
    /** The version queries use when they name none. */
    ACTIVE,
    /** Given up: index instances drop its vectors and query services stop serving it. */
    RETIRED;

    /** The name on the wire: {@code deployed}, {@code ready}, {@code active} or {@code retired}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Reads a wire name; empty for null (a version a service recorded by serving it) or a name this code does not know. */
    public static Optional<ModelStatus> parse(CharSequence wire) {
        if (wire == null) {
            return Optional.empty();
        }
        for (ModelStatus status : values()) {
            if (status.wireName().contentEquals(wire)) {
                return Optional.of(status);
            }
        }
        return Optional.empty();
    }
}
