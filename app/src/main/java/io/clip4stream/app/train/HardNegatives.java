package io.clip4stream.app.train;

import io.clip4stream.model.Clip4ClipModel;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * Which training clips are near each other, so that a run can batch them together ({@link EpochPlan#grouped}): a
 * re-ranker only ever sees a first stage's top candidates, near misses that random in-batch negatives rarely are.
 *
 * @param neighbours per training clip, other clips ordered from nearest
 * @param groupSize near clips per group in a batch
 * @param source how the neighbours were found, as config.json records it
 */
public record HardNegatives(int[][] neighbours, int groupSize, String source) {

    /** Validates the group size. */
    public HardNegatives {
        Objects.requireNonNull(neighbours, "neighbours");
        Objects.requireNonNull(source, "source");
        if (groupSize < 2) {
            throw new IllegalArgumentException("a hard-negative group needs at least 2 clips; was " + groupSize);
        }
    }

    /**
     * The {@code k} nearest clips of each clip of {@code set} under {@code model}'s first stage: the clips its first
     * caption retrieves best, as the query service's first stage ranks them (cosine of the caption's and the clips'
     * aggregated vectors), itself left out.
     */
    public static HardNegatives firstStage(
            Clip4ClipModel model, TrainingSet set, int k, int groupSize, Consumer<String> progress) {
        int n = set.size();
        int frames = set.maxFrames();
        int size = model.info().imageSize();
        float[][] videos = new float[n][];
        float[][] texts = new float[n][];
        float[] pixels = new float[frames * 3 * size * size];
        float[] mask = new float[frames];
        for (int i = 0; i < n; i++) {
            set.pixelsInto(i, pixels, 0, mask, 0);
            int valid = 0;
            while (valid < frames && mask[valid] > 0) {
                valid++;
            }
            videos[i] = model.aggregateClip(model.embedFrames(Arrays.copyOf(pixels, valid * 3 * size * size), valid));
            long[] ids = set.tokens(set.clips().get(i).captions().get(0));
            int[] intIds = new int[ids.length];
            int[] intMask = new int[ids.length];
            for (int j = 0; j < ids.length; j++) {
                intIds[j] = (int) ids[j];
                intMask[j] = ids[j] != 0 ? 1 : 0;
            }
            texts[i] = model.encodeText(intIds, intMask);
            if ((i + 1) % 500 == 0 || i + 1 == n) {
                progress.accept("hard negatives: first stage encoded " + (i + 1) + "/" + n + " clips");
            }
        }
        int keep = Math.min(k, n - 1);
        int[][] neighbours = new int[n][];
        for (int t = 0; t < n; t++) {
            float[] scores = new float[n];
            for (int v = 0; v < n; v++) {
                scores[v] = dot(texts[t], videos[v]);
            }
            int self = t;
            neighbours[t] = IntStream.range(0, n)
                    .filter(v -> v != self)
                    .boxed()
                    .sorted(Comparator.comparingDouble((Integer v) -> -scores[v])
                            .thenComparingInt(v -> v))
                    .limit(keep)
                    .mapToInt(Integer::intValue)
                    .toArray();
        }
        return new HardNegatives(
                neighbours,
                groupSize,
                "groups of " + groupSize + " clips near each other under the first stage ("
                        + model.info().modelVersion() + "): a clip and the nearest of the " + keep
                        + " clips its first caption retrieves best");
    }

    private static float dot(float[] a, float[] b) {
        float sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }
}
