package io.clip4stream.schemas.frames;

import java.util.Arrays;
import java.util.stream.Collectors;

/** How frame embeddings are stored and sent; the name is what config.json and {@code ClipVector.frameEncoding} hold. */
public enum FrameEncoding {
    /** Four bytes a value, exact. */
    FLOAT32("float32", 0),
    /** IEEE half precision, two bytes a value: a relative error of at most 2^-11 in the normal range. */
    FLOAT16("float16", 1),
    /**
     * One signed byte a value and a float32 scale per frame (the frame's largest magnitude over 127): an absolute error
     * of at most half the scale.
     */
    INT8("int8", 2),
    /**
     * Ten bits a value (four values in five bytes) and a float32 scale per frame (the frame's largest magnitude over
     * 511): a quarter of int8's error for 1.25 times its bytes, which is what fits a 12 KiB clip at width 512.
     */
    INT10("int10", 3);

    private final String configName;
    private final int tag;

    FrameEncoding(String configName, int tag) {
        this.configName = configName;
        this.tag = tag;
    }

    /** The name in config.json and in clip records. */
    public String configName() {
        return configName;
    }

    /** The byte that names this encoding inside packed frames; stable across releases. */
    int tag() {
        return tag;
    }

    /** The encoding named {@code name} (case-sensitive, as written by {@link #configName}). */
    public static FrameEncoding fromName(String name) {
        for (FrameEncoding encoding : values()) {
            if (encoding.configName.equals(name)) {
                return encoding;
            }
        }
        throw new IllegalArgumentException("unknown frame encoding '" + name + "'; expected one of "
                + Arrays.stream(values()).map(FrameEncoding::configName).collect(Collectors.joining(", ")));
    }

    /** The encoding whose tag is {@code tag}. */
    static FrameEncoding fromTag(int tag) {
        for (FrameEncoding encoding : values()) {
            if (encoding.tag == tag) {
                return encoding;
            }
        }
        throw new IllegalArgumentException("unknown frame encoding tag " + tag);
    }
}
