package io.clip4stream.alert.stream;

import io.clip4stream.schemas.avro.AbsoluteThreshold;
import io.clip4stream.schemas.avro.ClipVector;
import io.clip4stream.schemas.avro.StandingQuery;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Records for the alert tests: 3-wide clip vectors and standing queries. */
final class AlertRecords {
    static final long CLIP_MICROS = 4_000_000L;

    private AlertRecords() {}

    static ClipVector clip(String sourceId, int index, float... vector) {
        List<Float> values = new ArrayList<>();
        double norm = 0;
        for (float v : vector) {
            norm += v * v;
        }
        for (float v : vector) {
            values.add((float) (v / Math.sqrt(norm)));
        }
        return ClipVector.newBuilder()
                .setClipId(sourceId + "-" + index)
                .setSourceId(sourceId)
                .setClipIndex(index)
                .setStartTimeMicros(index * CLIP_MICROS)
                .setEndTimeMicros((index + 1) * CLIP_MICROS)
                .setThumbnailJpeg(ByteBuffer.wrap(new byte[] {1, 2, 3}))
                .setModelId("fake")
                .setModelVersion("v1")
                .setAggregation("meanP")
                .setVector(values)
                .setFrameEmbeddings(List.of(values))
                .setIndexedAtMillis(1_000 + index)
                .build();
    }

    static StandingQuery query(String id, String text, double minScore, List<String> sources) {
        return StandingQuery.newBuilder()
                .setQueryId(id)
                .setText(text)
                .setSourceIds(sources)
                .setThreshold(new AbsoluteThreshold(minScore))
                .setGapMillis(6_000)
                .setCooldownMillis(0)
                .setCreatedAtMillis(1)
                .setUpdatedAtMillis(1)
                .build();
    }
}
