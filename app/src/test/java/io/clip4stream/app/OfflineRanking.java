package io.clip4stream.app;

import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.ModelOptions;
import io.clip4stream.model.preprocess.ClipNormalize;
import io.clip4stream.model.preprocess.RgbImage;
import io.clip4stream.model.tokenize.ClipTokenizer;
import io.clip4stream.model.tokenize.TokenizedText;
import io.clip4stream.schemas.avro.ClipBoundary;
import io.clip4stream.schemas.avro.FrameStreamRecord;
import io.clip4stream.schemas.avro.SampledFrame;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The ranking the model module computes offline, without Kafka or any service, from the committed frames and clip
 * boundaries of the frames topic: what the distributed path must reproduce exactly.
 */
final class OfflineRanking implements AutoCloseable {
    private final Clip4ClipModel model;
    private final Map<String, float[][]> clipFrames;
    private final Map<String, float[]> clipVectors;

    private OfflineRanking(Clip4ClipModel model, Map<String, float[][]> clipFrames, Map<String, float[]> clipVectors) {
        this.model = model;
        this.clipFrames = clipFrames;
        this.clipVectors = clipVectors;
    }

    /** Loads the model from {@code modelDir} and embeds and aggregates every clip whose boundary is in {@code frames}. */
    static OfflineRanking of(Path modelDir, List<ConsumerRecord<String, FrameStreamRecord>> frames) {
        Map<String, SampledFrame> byId = new HashMap<>();
        Map<String, ClipBoundary> boundaries = new HashMap<>();
        for (var record : frames) {
            Object payload = record.value().getPayload();
            if (payload instanceof SampledFrame f) {
                byId.put(f.getSourceId() + "/" + f.getFrameIndex(), f);
            } else if (payload instanceof ClipBoundary b) {
                boundaries.put(b.getClipId(), b);
            }
        }
        Clip4ClipModel model =
                Clip4ClipModel.load(modelDir, ModelOptions.defaults().withIntraOpThreads(1));
        Map<String, float[][]> clipFrames = new HashMap<>();
        Map<String, float[]> clipVectors = new HashMap<>();
        ClipNormalize normalize = new ClipNormalize();
        int size = model.info().imageSize();
        for (ClipBoundary b : boundaries.values()) {
            int n = b.getFrameCount();
            float[] pixels = new float[n * 3 * size * size];
            for (int i = 0; i < n; i++) {
                String id = b.getSourceId() + "/" + (b.getFirstFrameIndex() + i);
                SampledFrame f = byId.get(id);
                if (f == null) {
                    model.close();
                    throw new AssertionError(
                            "Clip " + b.getClipId() + " names frame " + id + ", which is not committed");
                }
                ByteBuffer buffer = f.getPixels().duplicate();
                byte[] rgb = new byte[buffer.remaining()];
                buffer.get(rgb);
                normalize.normalizeInto(new RgbImage(f.getWidth(), f.getHeight(), rgb), pixels, i * 3 * size * size);
            }
            float[][] embeddings = model.embedFrames(pixels, n);
            clipFrames.put(b.getClipId(), embeddings);
            clipVectors.put(b.getClipId(), model.aggregateClip(embeddings));
        }
        return new OfflineRanking(model, clipFrames, clipVectors);
    }

    /** Ids of the clips ranked. */
    Set<String> clipIds() {
        return clipVectors.keySet();
    }

    /** The query's text embedding. */
    float[] textVector(String query) {
        TokenizedText text = tokenize(query);
        return model.encodeText(text.inputIds(), text.inputMask());
    }

    /** Every clip, best first by cosine with the query's text embedding (the first stage). */
    List<String> firstStage(String query) {
        float[] t = textVector(query);
        return clipVectors.entrySet().stream()
                .sorted(Comparator.comparingDouble((Map.Entry<String, float[]> e) -> -dot(t, e.getValue())))
                .map(Map.Entry::getKey)
                .toList();
    }

    /** The top {@code k} after the tight head re-scores the first stage's best {@code candidates}. */
    List<String> reranked(String query, int candidates, int k) {
        List<String> first = firstStage(query);
        List<String> pool = first.subList(0, Math.min(candidates, first.size()));
        TokenizedText text = tokenize(query);
        float[][][] frames = pool.stream().map(clipFrames::get).toArray(float[][][]::new);
        float[] tight = model.tightScores(text.inputIds(), text.inputMask(), frames);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < tight.length; i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingDouble((Integer i) -> -tight[i]));
        return order.subList(0, Math.min(k, order.size())).stream()
                .map(pool::get)
                .toList();
    }

    @Override
    public void close() {
        model.close();
    }

    private TokenizedText tokenize(String query) {
        return ClipTokenizer.withBundledVocabulary()
                .tokenize(query, model.info().maxWords());
    }

    private static double dot(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }
}
