package io.clip4stream.query.engine;

import io.clip4stream.query.search.InvalidSearchException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The search engines of the model versions this query service serves, and which one answers a search that names no
 * version (the active one). A model change adds a version's engine, switches the active one in one step (each search
 * picks its engine once, so it never mixes versions), and removes retired ones.
 */
public final class SearchEngines {
    private final Map<String, SearchEngine> engines = new ConcurrentHashMap<>();
    private volatile String active;

    /** Engines starting with {@code first}, active. */
    public SearchEngines(SearchEngine first) {
        Objects.requireNonNull(first, "first");
        active = first.model().modelVersion();
        engines.put(active, first);
    }

    /**
     * The engine for {@code modelVersion}, or the active one when it is null.
     *
     * @throws InvalidSearchException when that version is not served here
     */
    public SearchEngine forVersion(String modelVersion) {
        SearchEngine engine = engines.get(modelVersion == null ? active : modelVersion);
        if (engine == null) {
            throw new InvalidSearchException(
                    "unknown_model_version",
                    "model version '" + modelVersion + "' is not served here; this query service serves "
                            + served().keySet() + " (active: '" + active + "')");
        }
        return engine;
    }

    /** The active engine. */
    public SearchEngine active() {
        return forVersion(null);
    }

    /** The active version. */
    public String activeVersion() {
        return active;
    }

    /** Adds (or replaces) the engine of its model's version. */
    public void add(SearchEngine engine) {
        engines.put(engine.model().modelVersion(), engine);
    }

    /** Whether {@code modelVersion} is served here. */
    public boolean serves(String modelVersion) {
        return engines.containsKey(modelVersion);
    }

    /**
     * Makes {@code modelVersion} the active version.
     *
     * @throws IllegalArgumentException when it is not served here
     */
    public void activate(String modelVersion) {
        if (!engines.containsKey(modelVersion)) {
            throw new IllegalArgumentException("model version '" + modelVersion + "' is not served here");
        }
        active = modelVersion;
    }

    /**
     * Stops serving {@code modelVersion}.
     *
     * @throws IllegalArgumentException when it is the active version
     */
    public void remove(String modelVersion) {
        if (modelVersion.equals(active)) {
            throw new IllegalArgumentException(
                    "model version '" + modelVersion + "' is active: activate another first");
        }
        engines.remove(modelVersion);
    }

    /** Version to engine, in name order. */
    public Map<String, SearchEngine> served() {
        return new TreeMap<>(engines);
    }

    /** The versions served here, in name order. */
    public List<String> versions() {
        return List.copyOf(served().keySet());
    }
}
