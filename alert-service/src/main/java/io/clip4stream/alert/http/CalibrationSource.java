package io.clip4stream.alert.http;

import io.clip4stream.alert.match.ScoreSketch;
import java.util.List;

/** The calibration sketches this instance holds for a query, one per stream task that scored it. */
@FunctionalInterface
public interface CalibrationSource {

    /** The sketches of {@code queryId}; empty when none was written yet. */
    List<ScoreSketch> sketches(String queryId);
}
