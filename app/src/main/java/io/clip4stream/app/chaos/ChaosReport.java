package io.clip4stream.app.chaos;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a chaos run found: the totals over every trial's clips, counted once at the end, and what each trial crashed.
 *
 * @param seed the seed the plan was drawn from
 * @param total every expected clip counted against {@code clip-vectors} and every index instance at the end
 * @param trials each trial, in order
 * @param wallSeconds the run's wall time, start-up included
 */
public record ChaosReport(long seed, ClipTally total, List<TrialResult> trials, double wallSeconds) {
    /** Copies the trials. */
    public ChaosReport {
        trials = List.copyOf(trials);
    }

    /**
     * One trial.
     *
     * @param trial 1-based
     * @param killed the instance killed with SIGKILL, or the broker stopped
     * @param atMillis when the crash began, in milliseconds after the trial's sources were submitted
     * @param plannedAtMillis when the plan said to crash
     * @param recoveredMillis from the crash until everything answered ready again
     * @param settledMillis from submission until every clip of the trial's sources was committed, or until giving up
     * @param settled whether every clip of the trial's sources was committed before giving up
     * @param tally the trial's sources' clips, counted at the end of the run
     */
    public record TrialResult(
            int trial,
            String killed,
            long atMillis,
            long plannedAtMillis,
            long recoveredMillis,
            long settledMillis,
            boolean settled,
            ClipTally tally) {}

    /** Whether no clip was lost, doubled, unsearchable or unexpected. */
    public boolean clean() {
        return total.lost() == 0 && total.doubled() == 0 && total.unsearchable() == 0 && total.unexpected() == 0;
    }

    /** The report as the JSON object {@code bench chaos --json} prints (snake_case keys). */
    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("benchmark", "chaos");
        json.put("trials", trials.size());
        json.put("seed", seed);
        json.put("clips_expected", total.expected());
        json.put("lost", total.lost());
        json.put("doubled", total.doubled());
        json.put("unsearchable", total.unsearchable());
        json.put("unexpected", total.unexpected());
        json.put("wall_s", Math.round(wallSeconds * 10) / 10.0);
        json.put(
                "per_trial",
                trials.stream()
                        .map(t -> {
                            Map<String, Object> trial = new LinkedHashMap<>();
                            trial.put("trial", t.trial());
                            trial.put("killed", t.killed());
                            trial.put("at_ms", t.atMillis());
                            trial.put("planned_at_ms", t.plannedAtMillis());
                            trial.put("recovered_ms", t.recoveredMillis());
                            trial.put("settled_ms", t.settledMillis());
                            trial.put("settled", t.settled());
                            trial.put("clips_expected", t.tally().expected());
                            trial.put("lost", t.tally().lost());
                            trial.put("doubled", t.tally().doubled());
                            trial.put("unsearchable", t.tally().unsearchable());
                            trial.put("unexpected", t.tally().unexpected());
                            return trial;
                        })
                        .toList());
        return json;
    }
}
