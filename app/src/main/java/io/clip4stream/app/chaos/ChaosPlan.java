package io.clip4stream.app.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Which instance each trial crashes and when, drawn from a seed alone, so that a failing run can be repeated with the
 * same {@code --seed}.
 *
 * @param seed the seed the plan was drawn from
 * @param trials the trials, in order
 */
public record ChaosPlan(long seed, List<Trial> trials) {
    /** Copies the trials. */
    public ChaosPlan {
        trials = List.copyOf(trials);
    }

    /**
     * One trial.
     *
     * @param number 1-based
     * @param victim the instance or broker to crash, one of the names the plan was drawn over
     * @param atMillis when to crash it, in milliseconds after the trial's sources were submitted
     */
    public record Trial(int number, String victim, long atMillis) {}

    /**
     * {@code count} trials, each crashing a victim drawn uniformly from {@code victims} at a moment drawn uniformly
     * from {@code [0, windowMillis)}.
     */
    public static ChaosPlan draw(long seed, int count, List<String> victims, long windowMillis) {
        if (count < 1) {
            throw new IllegalArgumentException("trials must be at least 1; was " + count);
        }
        if (victims.isEmpty()) {
            throw new IllegalArgumentException("No victims to draw from");
        }
        if (windowMillis < 1) {
            throw new IllegalArgumentException("The crash window must be at least 1 ms; was " + windowMillis);
        }
        SplittableRandom random = new SplittableRandom(seed);
        List<Trial> trials = new ArrayList<>();
        for (int n = 1; n <= count; n++) {
            String victim = victims.get(random.nextInt(victims.size()));
            trials.add(new Trial(n, victim, random.nextLong(windowMillis)));
        }
        return new ChaosPlan(seed, trials);
    }
}
