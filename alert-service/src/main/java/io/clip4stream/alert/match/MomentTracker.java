package io.clip4stream.alert.match;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Merges consecutive matching clips of one source into moments, in media time: a match within {@code gap} of the
 * open moment extends it; a clip starting {@code gap} or more after it closes it; a new moment opens only
 * {@code cooldown} after the last one closed. Media time rather than wall time makes a replay after a crash take
 * exactly the same decisions.
 */
public final class MomentTracker {
    private MomentTracker() {}

    /**
     * What the tracker did with one clip.
     *
     * @param next the state to keep
     * @param events moments opened, extended or closed by this clip, in order (at most two: a close, then an open)
     */
    public record Step(MomentState next, List<MomentEvent> events) {
        /** Copies the events. */
        public Step {
            events = List.copyOf(events);
        }
    }

    /**
     * A moment as it changed.
     *
     * @param moment the moment after the change
     * @param closed whether it closed
     */
    public record MomentEvent(Moment moment, boolean closed) {}

    /** The step for {@code clip} of {@code sourceId} scored for {@code queryId}, from {@code state}. */
    public static Step step(
            String queryId,
            String sourceId,
            MomentState state,
            ClipScore clip,
            double threshold,
            Duration gap,
            Duration cooldown) {
        boolean matched = clip.score() >= threshold;
        long gapMicros = gap.toNanos() / 1_000;
        List<MomentEvent> events = new ArrayList<>(2);
        MomentState current = state;
        if (current.open().isPresent()) {
            Moment open = current.open().get();
            boolean pastGap = clip.startMicros() - open.endMicros() >= gapMicros;
            if (!pastGap && matched) {
                Moment extended = open.extend(clip);
                events.add(new MomentEvent(extended, false));
                return new Step(new MomentState(Optional.of(extended), current.lastClosedEndMicros()), events);
            }
            if (!pastGap) {
                return new Step(current, events);
            }
            Moment closed = open.closing();
            events.add(new MomentEvent(closed, true));
            current = new MomentState(Optional.empty(), closed.endMicros());
        }
        if (!matched) {
            return new Step(current, events);
        }
        long cooldownMicros = cooldown.toNanos() / 1_000;
        boolean coolingDown = current.lastClosedEndMicros() != Long.MIN_VALUE
                && clip.startMicros() < current.lastClosedEndMicros() + cooldownMicros;
        // A late clip from before the last closed moment's end never opens a new one (same inequality, cooldown 0).
        if (coolingDown) {
            return new Step(current, events);
        }
        Moment opened = Moment.open(queryId, sourceId, clip, threshold);
        events.add(new MomentEvent(opened, false));
        return new Step(new MomentState(Optional.of(opened), current.lastClosedEndMicros()), events);
    }

    /** Closes the open moment of {@code state}, if any, as if the source had gone quiet. */
    public static Step close(MomentState state) {
        if (state.open().isEmpty()) {
            return new Step(state, List.of());
        }
        Moment closed = state.open().get().closing();
        return new Step(new MomentState(Optional.empty(), closed.endMicros()), List.of(new MomentEvent(closed, true)));
    }
}
