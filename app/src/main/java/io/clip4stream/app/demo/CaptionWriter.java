package io.clip4stream.app.demo;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/** Writes captions from a scene's objects: a plain one and further phrasings with other words and word order. */
public final class CaptionWriter {

    private CaptionWriter() {}

    /** Returns the plain caption, then up to {@code variants} distinct rephrasings drawn from {@code random}. */
    public static List<String> captions(List<SceneObject> objects, int variants, Random random) {
        Set<String> out = new LinkedHashSet<>();
        out.add(join(objects.stream().map(o -> phrase(o, true, 0, 0, 0, false)).toList(), 0));
        for (int attempt = 0; out.size() < variants + 1 && attempt < variants * 4; attempt++) {
            List<String> parts = new ArrayList<>();
            for (SceneObject o : objects) {
                parts.add(phrase(
                        o,
                        random.nextBoolean(),
                        random.nextInt(o.shape().words().size()),
                        random.nextInt(o.motion().phrases().size()),
                        random.nextInt(2),
                        random.nextInt(4) == 0));
            }
            out.add(join(parts, random.nextInt(2)));
        }
        return List.copyOf(out);
    }

    /** Returns one object's phrase, "a small red circle moves to the left", with the chosen synonyms. */
    public static String phrase(
            SceneObject o, boolean withSize, int shapeWord, int motionPhrase, int article, boolean sizeSynonym) {
        StringBuilder text = new StringBuilder(article == 0 ? "a " : "the ");
        if (withSize && o.motion().keepsSize()) {
            text.append(o.big() ? (sizeSynonym ? "large " : "big ") : (sizeSynonym ? "tiny " : "small "));
        }
        text.append(o.colour().word())
                .append(' ')
                .append(o.shape().words().get(shapeWord))
                .append(' ');
        text.append(o.motion().phrases().get(motionPhrase));
        return text.toString();
    }

    private static String join(List<String> parts, int style) {
        if (parts.size() == 1) {
            return parts.get(0);
        }
        if (parts.size() == 2) {
            return parts.get(0) + (style == 0 ? " and " : " while ") + parts.get(1);
        }
        return String.join(", ", parts.subList(0, parts.size() - 1)) + " and " + parts.get(parts.size() - 1);
    }
}
