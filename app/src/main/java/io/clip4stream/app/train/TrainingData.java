package io.clip4stream.app.train;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/** Finds the captioned clips a data argument names: an MSR-VTT folder (by split) or a JSON Lines manifest. */
public final class TrainingData {

    /** Below this many clips a manifest without an evaluation set is not split (too few to hold any out). */
    public static final int MIN_CLIPS_FOR_HOLDOUT = 20;

    private TrainingData() {}

    /** Reads {@code data}: split {@code split} of an MSR-VTT folder, or every clip of a manifest file. */
    public static List<CaptionedClip> read(Path data, String split) {
        if (MsrVttLayout.recognises(data)) {
            return MsrVttLayout.read(data, split);
        }
        if (Files.isDirectory(data)) {
            throw new TrainingDataException(data + " is a folder without " + MsrVttLayout.DATA_JSON + " or "
                    + MsrVttLayout.TEST_CSV + "; give the MSR-VTT folder or a JSON Lines manifest");
        }
        if (!Files.isRegularFile(data)) {
            throw new TrainingDataException("no training data at " + data);
        }
        return TrainingManifest.read(data);
    }

    /** Returns whether {@code data} is an MSR-VTT folder (which has its own test split). */
    public static boolean hasTestSplit(Path data) {
        return MsrVttLayout.recognises(data);
    }

    /**
     * Splits {@code clips} into (train, held out) by a seeded shuffle, holding out {@code fraction} of them (at least
     * one) when there are at least {@link #MIN_CLIPS_FOR_HOLDOUT}; otherwise nothing is held out.
     */
    public static List<List<CaptionedClip>> holdOut(List<CaptionedClip> clips, double fraction, long seed) {
        if (fraction <= 0 || clips.size() < MIN_CLIPS_FOR_HOLDOUT) {
            return List.of(clips, List.of());
        }
        List<CaptionedClip> shuffled = new ArrayList<>(clips);
        Collections.shuffle(shuffled, new Random(seed));
        int held = Math.max(1, (int) Math.round(clips.size() * fraction));
        return List.of(List.copyOf(shuffled.subList(held, shuffled.size())), List.copyOf(shuffled.subList(0, held)));
    }
}
