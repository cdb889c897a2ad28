package io.clip4stream.app.demo;

import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Generates demo-world scenes, deterministically from a seed and an index: one to three objects (4 shapes, 6 colours,
 * 2 sizes, 11 motions) on a dark, textured, noisy background, with captions written from them.
 *
 * <p>Four colour–shape pairs never occur in the training split; the held-out split puts one of them on the first object
 * of every scene, so an evaluation on it measures whether a model composes attributes it has only seen apart.
 */
public final class DemoWorld {

    /** The seed of the default model's training data. */
    public static final long DEFAULT_SEED = 20_261_206L;

    /** The length of one scene, matching one 12-frame clip at the ingest service's 1 frame per second. */
    public static final int SCENE_SECONDS = 12;

    /** Captions per scene besides the plain one. */
    public static final int CAPTION_VARIANTS = 4;

    /** The colour–shape pairs the training split never shows. */
    public static final Set<List<Enum<?>>> HELD_OUT_PAIRS = Set.of(
            List.of(Colour.RED, Shape.STAR),
            List.of(Colour.BLUE, Shape.TRIANGLE),
            List.of(Colour.GREEN, Shape.SQUARE),
            List.of(Colour.YELLOW, Shape.CIRCLE));

    private static final List<Color> BASES = List.of(
            new Color(15, 15, 18),
            new Color(45, 45, 50),
            new Color(18, 24, 60),
            new Color(20, 50, 48),
            new Color(60, 35, 30));

    /** Which part of the world a scene comes from. */
    public enum Split {
        /** Scenes without any held-out colour–shape pair. */
        TRAIN,
        /** Scenes whose first object has a held-out colour–shape pair. */
        HELD_OUT,
        /** Any scene (the sample videos a first run ingests). */
        ANY
    }

    private final long seed;

    /** Creates the world of {@code seed}. */
    public DemoWorld(long seed) {
        this.seed = seed;
    }

    /** Returns the seed. */
    public long seed() {
        return seed;
    }

    /** Returns scene {@code index} of {@code split}: the same scene for the same seed, split and index. */
    public Scene scene(Split split, int index) {
        // Scrambled: java.util.Random's first draws from neighbouring seeds are nearly equal, which would give every
        // scene of a split the same object count.
        Random random = new Random(mix(mix(seed) + split.ordinal() * 1_000_003L + index));
        int count = pick(random, new double[] {0.35, 0.45, 0.20}) + 1;
        List<SceneObject> objects = new ArrayList<>();
        List<List<Enum<?>>> used = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Colour colour;
            Shape shape;
            do {
                if (i == 0 && split == Split.HELD_OUT) {
                    List<List<Enum<?>>> pairs = new ArrayList<>(HELD_OUT_PAIRS);
                    pairs.sort((a, b) -> a.toString().compareTo(b.toString()));
                    List<Enum<?>> pair = pairs.get(random.nextInt(pairs.size()));
                    colour = (Colour) pair.get(0);
                    shape = (Shape) pair.get(1);
                } else {
                    colour = Colour.values()[random.nextInt(Colour.values().length)];
                    shape = Shape.values()[random.nextInt(Shape.values().length)];
                }
            } while (used.contains(List.of(colour, shape))
                    || (split == Split.TRAIN && HELD_OUT_PAIRS.contains(List.of(colour, shape))));
            used.add(List.of(colour, shape));
            Motion motion;
            do {
                motion = Motion.values()[random.nextInt(Motion.values().length)];
            } while (motion == Motion.ROTATE && !shape.showsRotation());
            double[] base = base(count, i, random);
            double x = motion == Motion.LEFT || motion == Motion.RIGHT ? 0.5 + jitter(random, 0.04) : base[0];
            double y = motion == Motion.UP || motion == Motion.DOWN ? 0.5 + jitter(random, 0.04) : base[1];
            objects.add(new SceneObject(shape, colour, random.nextBoolean(), motion, x, y));
        }
        Background background = new Background(
                BASES.get(random.nextInt(BASES.size())),
                Background.Texture.values()[random.nextInt(Background.Texture.values().length)],
                2 + random.nextDouble() * 8);
        return new Scene(background, objects, CaptionWriter.captions(objects, CAPTION_VARIANTS, random));
    }

    /** A 64-bit finaliser (SplitMix64's): nearby inputs give unrelated outputs. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Spreads up to three objects over the frame so that they rarely cover each other. */
    private static double[] base(int count, int i, Random random) {
        double[][] places = switch (count) {
            case 1 -> new double[][] {{0.5, 0.5}};
            case 2 ->
                random.nextBoolean()
                        ? new double[][] {{0.3, 0.3}, {0.7, 0.7}}
                        : new double[][] {{0.3, 0.7}, {0.7, 0.3}};
            default -> new double[][] {{0.25, 0.27}, {0.75, 0.5}, {0.32, 0.76}};
        };
        return new double[] {places[i][0] + jitter(random, 0.04), places[i][1] + jitter(random, 0.04)};
    }

    private static double jitter(Random random, double amount) {
        return (random.nextDouble() * 2 - 1) * amount;
    }

    private static int pick(Random random, double[] weights) {
        double r = random.nextDouble();
        for (int i = 0; i < weights.length; i++) {
            r -= weights[i];
            if (r < 0) {
                return i;
            }
        }
        return weights.length - 1;
    }
}
