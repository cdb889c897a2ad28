package io.clip4stream.app.demo;

import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.preprocess.ClipNormalize;
import io.clip4stream.model.preprocess.FramePreprocessor;
import io.clip4stream.model.preprocess.RgbImage;
import io.clip4stream.model.tokenize.ClipTokenizer;
import io.clip4stream.model.tokenize.TokenizedText;
import io.clip4stream.schemas.frames.FrameEncoding;
import io.clip4stream.schemas.frames.PackedFrames;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * Whether storing frame embeddings compactly changes what the tight re-rank returns: demo-world scenes (rendered as
 * the sample videos are, without the H.264 round trip) are embedded by the model, every caption variant of each scene
 * is a query, the first stage picks the {@code candidates} best clips by cosine (from the float32 clip vector, which is
 * never compacted), and the tight head re-scores them from float32 frames and from each encoding's decoded frames,
 * fused with the first stage as the model's card says. Agreement is the share of queries whose top-10 order is
 * identical; the score change is relative to the float32 score of the same candidate.
 */
public final class FrameEncodingAgreement {

    /** The top of the re-ranked list whose order must not change. */
    public static final int TOP = 10;

    /** Candidates re-ranked per query: what the evaluators re-rank ({@link DemoTraining#RERANK_DEPTH}). */
    public static final int CANDIDATES = DemoTraining.RERANK_DEPTH;

    private FrameEncodingAgreement() {}

    /**
     * One encoding's agreement with float32.
     *
     * @param frameEncoding the encoding
     * @param queries queries compared
     * @param top10Agreement share of queries whose top-10 (re-ranked) order is the float32 order
     * @param maxRelativeScoreChange the largest |s' - s| / max |s| over every re-ranked candidate, s the score that
     *     orders them (tight logit, fused with the first stage when the card records a weight) and max |s| the largest
     *     magnitude among the same query's candidates: a fused score can pass through zero, where a change relative to
     *     the candidate's own score means nothing
     * @param maxRelativeTightChange the largest |t' - t| / max |t| of a tight logit t, max |t| the largest among the
     *     query's candidates: the change against the tight head's own scale, which a large fusion weight cannot hide
     * @param maxAbsoluteTightChange the largest change of a tight logit (the fused score changes by exactly as much)
     * @param maxSwappedGap over every pair of candidates (of either top 10) the encoding put in the other order, the
     *     largest gap between their float32 scores over the query's score scale: how close to a tie a swapped pair was
     *     (0 when nothing was swapped)
     */
    public record Agreement(
            String frameEncoding,
            int queries,
            double top10Agreement,
            double maxRelativeScoreChange,
            double maxRelativeTightChange,
            double maxAbsoluteTightChange,
            double maxSwappedGap) {}

    /**
     * Measures {@code encodings} against float32 on {@code scenes} held-out scenes of the demo world of {@code seed},
     * with {@code model} (which must have a tight head).
     */
    public static List<Agreement> measure(Clip4ClipModel model, long seed, int scenes, List<FrameEncoding> encodings) {
        if (!model.hasTightHead()) {
            throw new IllegalArgumentException(
                    "model " + model.info().modelId() + " has no tight head to re-rank with");
        }
        if (scenes < TOP) {
            throw new IllegalArgumentException("need at least " + TOP + " scenes; got " + scenes);
        }
        DemoWorld world = new DemoWorld(seed);
        int frames = model.info().maxFrames();
        int size = model.info().imageSize();
        SceneRenderer renderer = new SceneRenderer(DemoVideos.SIZE, DemoVideos.SIZE);
        FramePreprocessor preprocessor = new FramePreprocessor(model.preprocessing());
        ClipNormalize normalize = new ClipNormalize();
        Random noise = new Random(seed);
        List<float[][]> clipFrames = new ArrayList<>();
        List<float[]> clipVectors = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        for (int s = 0; s < scenes; s++) {
            Scene scene = world.scene(DemoWorld.Split.HELD_OUT, s);
            float[] pixels = new float[frames * 3 * size * size];
            for (int n = 0; n < frames; n++) {
                RgbImage frame = RgbImage.fromBufferedImage(renderer.render(scene, (double) n / (frames - 1), noise));
                normalize.normalizeInto(preprocessor.resizeAndCrop(frame), pixels, n * 3 * size * size);
            }
            float[][] embeddings = model.embedFrames(pixels, frames);
            clipFrames.add(embeddings);
            clipVectors.add(model.aggregateClip(embeddings));
            captions.addAll(scene.captions());
        }
        ClipTokenizer tokenizer = ClipTokenizer.withBundledVocabulary();
        List<Query> queries = new ArrayList<>();
        for (String caption : captions) {
            TokenizedText text = tokenizer.tokenize(caption, model.info().maxWords());
            float[] unit = model.encodeText(text.inputIds(), text.inputMask());
            float[] raw = model.encodeTextRaw(text.inputIds(), text.inputMask());
            queries.add(new Query(unit, raw));
        }
        List<Agreement> out = new ArrayList<>();
        List<List<float[][]>> decodedByEncoding = new ArrayList<>();
        for (FrameEncoding encoding : encodings) {
            decodedByEncoding.add(clipFrames.stream()
                    .map(f -> PackedFrames.unpack(PackedFrames.pack(f, encoding)))
                    .toList());
        }
        int[] identical = new int[encodings.size()];
        double[] maxRelative = new double[encodings.size()];
        double[] maxTightRelative = new double[encodings.size()];
        double[] maxTight = new double[encodings.size()];
        double[] maxSwapped = new double[encodings.size()];
        int depth = Math.min(CANDIDATES, scenes);
        for (Query query : queries) {
            List<Integer> pool = firstStage(query.unit(), clipVectors).subList(0, depth);
            float[] first = new float[depth];
            for (int i = 0; i < depth; i++) {
                first[i] = dot(query.unit(), clipVectors.get(pool.get(i)));
            }
            float[] tight = model.tightScores(
                    query.raw(), pool.stream().map(clipFrames::get).toArray(float[][][]::new));
            float[] scores = model.card().rerankScores(tight, first);
            List<Integer> order = top(scores);
            double scale = 0;
            for (float score : scores) {
                scale = Math.max(scale, Math.abs(score));
            }
            double tightScale = 0;
            for (float logit : tight) {
                tightScale = Math.max(tightScale, Math.abs(logit));
            }
            for (int e = 0; e < encodings.size(); e++) {
                List<float[][]> decoded = decodedByEncoding.get(e);
                float[] tightE = model.tightScores(
                        query.raw(), pool.stream().map(decoded::get).toArray(float[][][]::new));
                float[] scoresE = model.card().rerankScores(tightE, first);
                List<Integer> orderE = top(scoresE);
                if (orderE.equals(order)) {
                    identical[e]++;
                } else {
                    maxSwapped[e] = Math.max(maxSwapped[e], swappedGap(order, orderE, scores, scoresE) / scale);
                }
                for (int i = 0; i < depth; i++) {
                    maxRelative[e] = Math.max(maxRelative[e], Math.abs(scoresE[i] - scores[i]) / scale);
                    maxTightRelative[e] = Math.max(maxTightRelative[e], Math.abs(tightE[i] - tight[i]) / tightScale);
                    maxTight[e] = Math.max(maxTight[e], Math.abs(tightE[i] - tight[i]));
                }
            }
        }
        for (int e = 0; e < encodings.size(); e++) {
            out.add(new Agreement(
                    encodings.get(e).configName(),
                    queries.size(),
                    (double) identical[e] / queries.size(),
                    maxRelative[e],
                    maxTightRelative[e],
                    maxTight[e],
                    maxSwapped[e]));
        }
        return out;
    }

    private record Query(float[] unit, float[] raw) {}

    /** Clip indexes, best first by cosine with {@code text}. */
    private static List<Integer> firstStage(float[] text, List<float[]> clipVectors) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < clipVectors.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingDouble((Integer i) -> -dot(text, clipVectors.get(i))));
        return order;
    }

    /** The largest float32 gap between two candidates of {@code a} or {@code b} that the two scorings order apart. */
    private static double swappedGap(List<Integer> a, List<Integer> b, float[] scores, float[] scoresE) {
        java.util.Set<Integer> candidates = new java.util.TreeSet<>(a);
        candidates.addAll(b);
        double gap = 0;
        for (int i : candidates) {
            for (int j : candidates) {
                if (scores[i] > scores[j] && scoresE[i] < scoresE[j]) {
                    gap = Math.max(gap, scores[i] - scores[j]);
                }
            }
        }
        return gap;
    }

    /** Positions of the {@link #TOP} best scores, best first (ties by position, as a stable sort keeps them). */
    private static List<Integer> top(float[] scores) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < scores.length; i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingDouble((Integer i) -> -scores[i]));
        return List.copyOf(order.subList(0, Math.min(TOP, order.size())));
    }

    private static float dot(float[] a, float[] b) {
        float sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }
}
