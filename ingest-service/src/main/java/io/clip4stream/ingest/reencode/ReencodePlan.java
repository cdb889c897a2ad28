package io.clip4stream.ingest.reencode;

import io.clip4stream.ingest.run.UploadResume;
import io.clip4stream.model.spec.Preprocessing;
import io.clip4stream.schemas.avro.IngestState;
import io.clip4stream.schemas.avro.IngestStatus;
import io.clip4stream.schemas.avro.ModelVersion;
import io.clip4stream.schemas.avro.SourceKind;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * One pass of a version's re-encoding, decided from what this instance knows (pure): which kept videos to decode
 * again now, which are still being ingested (re-encoded once they finish), and which other sources get a STOPPED end
 * marker because no media of theirs is kept here.
 *
 * <p>An upload is never marked even when its video is not here: another ingest instance may keep it and re-encode it,
 * and a STOPPED marker from here would tell the index the source is settled before that.
 *
 * @param reencode kept videos whose source has finished and that are not re-encoded yet, in id order
 * @param waiting kept videos whose source has not finished yet
 * @param mark non-upload sources, not deleted, without a STOPPED marker yet, in id order
 * @param done sources already re-encoded or marked
 */
public record ReencodePlan(List<String> reencode, List<String> waiting, List<String> mark, int done) {

    /** Copies the lists. */
    public ReencodePlan {
        reencode = List.copyOf(reencode);
        waiting = List.copyOf(waiting);
        mark = List.copyOf(mark);
    }

    /**
     * The plan for sources with {@code statuses} (every instance's, latest each), the uploads kept here
     * {@code keptUploads}, and what the version's {@code progress} file already records.
     */
    public static ReencodePlan of(
            Collection<IngestStatus> statuses,
            Collection<String> keptUploads,
            Set<String> reencoded,
            Set<String> marked) {
        Map<String, IngestStatus> byId = statuses.stream()
                .collect(Collectors.toMap(s -> s.getSourceId().toString(), Function.identity(), (a, b) -> b));
        List<String> reencode = new ArrayList<>();
        List<String> waiting = new ArrayList<>();
        for (String id : keptUploads.stream().sorted().toList()) {
            IngestStatus status = byId.get(id);
            if (reencoded.contains(id) || status != null && status.getState() == IngestState.DELETED) {
                continue;
            }
            // Only a finished source: decoding an upload while its own run still goes would race it for nothing.
            if (status != null && UploadResume.isFinal(status)) {
                reencode.add(id);
            } else {
                waiting.add(id);
            }
        }
        List<String> mark = new ArrayList<>();
        for (IngestStatus status : byId.values()) {
            String id = status.getSourceId().toString();
            if (status.getState() != IngestState.DELETED
                    && status.getKind() != SourceKind.UPLOAD
                    && !keptUploads.contains(id)
                    && !marked.contains(id)) {
                mark.add(id);
            }
        }
        mark.sort(null);
        return new ReencodePlan(reencode, waiting, mark, reencoded.size() + marked.size());
    }

    /** Sources still to do: to re-encode now or later, and to mark. */
    public int remaining() {
        return reencode.size() + waiting.size() + mark.size();
    }

    /** Every source of the version's job: done and remaining. */
    public int total() {
        return done + remaining();
    }

    /** How frames are prepared for {@code version}: its record's resize, filter, crop and normalisation. */
    public static Preprocessing framePreparation(ModelVersion version) {
        return new Preprocessing(
                version.getResizeSize(), version.getInterpolation(), version.getCropSize(), version.getNormalize());
    }
}
