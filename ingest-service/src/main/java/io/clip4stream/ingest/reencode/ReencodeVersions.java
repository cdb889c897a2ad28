package io.clip4stream.ingest.reencode;

import io.clip4stream.runtime.kafka.ModelCatalog;
import io.clip4stream.runtime.kafka.ModelStatus;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Which model versions a pass of the re-encode jobs works on (pure): the versions needing a re-encode (a job starts
 * only for a deployed one; a ready one goes on only with a started job), then the started jobs of versions that no
 * longer need one but were not retired (activated meanwhile, possibly with {@code --force}), which finish; retired
 * versions stop; a version with an empty name is refused.
 *
 * @param work versions to work on, valid names only, needing ones first, in first-recorded order
 * @param finishing those of {@code work} that no longer need a re-encode: their started job finishes for good
 * @param retired retired versions (their jobs stop)
 * @param refused versions needing a re-encode whose name is empty
 */
public record ReencodeVersions(List<String> work, Set<String> finishing, List<String> retired, List<String> refused) {

    /** Copies the collections. */
    public ReencodeVersions {
        work = List.copyOf(work);
        finishing = Set.copyOf(finishing);
        retired = List.copyOf(retired);
        refused = List.copyOf(refused);
    }

    /** The versions of {@code catalog} to work on, {@code started} telling whose job has a progress file. */
    public static ReencodeVersions of(ModelCatalog catalog, Predicate<String> started) {
        // A job starts only for a deployed version (ModelCatalog.needingReencode): a ready one was active before the
        // current one and holds its clips; it goes on below only if its job had started.
        Set<String> versions = new LinkedHashSet<>(catalog.needingReencode());
        List<String> retired = new ArrayList<>();
        Set<String> finishing = new LinkedHashSet<>();
        for (String version : catalog.records().keySet()) {
            Optional<ModelStatus> status = catalog.status(version);
            if (status.isEmpty()) {
                continue; // recorded by a service serving it: not part of a model change
            }
            if (status.get() == ModelStatus.RETIRED) {
                retired.add(version);
            } else if (!versions.contains(version) && ReencodeProgress.validVersion(version) && started.test(version)) {
                versions.add(version);
                finishing.add(version);
            }
        }
        List<String> work = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        for (String version : versions) {
            (ReencodeProgress.validVersion(version) ? work : refused).add(version);
        }
        return new ReencodeVersions(work, finishing, retired, refused);
    }
}
