package io.clip4stream.runtime.models;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The local cache of pulled models ({@code CLIP4S_MODEL_HOME}, default {@code ~/.cache/clip4stream/models}): one
 * folder per name and revision, holding the verified downloads ({@code files/}) and the converted model directory
 * ({@code model/}, with {@code provenance.json}). A model is pulled once; afterwards it is read from the cache, and
 * offline a model that is not cached is a clear error.
 */
public final class ModelStore {

    /** Environment variable naming the cache folder. */
    public static final String HOME_VARIABLE = "CLIP4S_MODEL_HOME";

    private final Path root;
    private final ModelRegistry registry;
    private final ModelDownloader downloader;

    /** Turns a verified checkpoint into a model directory (the model module's {@code CheckpointConverter::install}). */
    @FunctionalInterface
    public interface Installer {
        /**
         * Converts {@code checkpoint} into {@code modelDir} and returns a one-line summary.
         *
         * @param checkpoint the verified weights file
         * @param tokenizerDir the folder holding {@code vocab.json} and {@code merges.txt}, when the model ships them
         * @param settings config.json settings: the source's conversion settings plus {@code model_id},
         *     {@code model_version} and {@code trained_heads} (comma-separated)
         * @param modelDir the directory to write
         */
        String install(Path checkpoint, Optional<Path> tokenizerDir, Map<String, String> settings, Path modelDir)
                throws IOException;
    }

    /**
     * A model directory ready to load.
     *
     * @param directory the model directory
     * @param provenance where it came from
     * @param downloaded whether this call downloaded or converted anything
     */
    public record PulledModel(Path directory, Provenance provenance, boolean downloaded) {}

    /**
     * A model found in the cache.
     *
     * @param directory its model directory
     * @param bytes the size of its folder (downloads and model directory)
     * @param provenance where it came from
     */
    public record CachedModel(Path directory, long bytes, Provenance provenance) {}

    /** Creates a store over the cache folder {@code root}. */
    public ModelStore(Path root, ModelRegistry registry, ModelDownloader downloader) {
        this.root = Objects.requireNonNull(root, "root");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.downloader = Objects.requireNonNull(downloader, "downloader");
    }

    /**
     * A store configured from the environment: {@code CLIP4S_MODEL_HOME}, {@code HF_ENDPOINT}, {@code HF_TOKEN};
     * proxies come from the Java system properties.
     */
    public static ModelStore fromEnvironment(Map<String, String> environment) {
        URI endpoint = Optional.ofNullable(environment.get("HF_ENDPOINT"))
                .filter(text -> !text.isBlank())
                .map(text -> URI.create(text.strip()))
                .orElse(ModelRegistry.HUGGING_FACE);
        Optional<String> token = Optional.ofNullable(environment.get("HF_TOKEN"))
                .map(String::strip)
                .filter(t -> !t.isEmpty());
        return new ModelStore(
                defaultRoot(environment),
                ModelRegistry.builtIn(endpoint),
                new ModelDownloader(ModelDownloader.defaultClient(), token, endpoint, 5, Duration.ofSeconds(2)));
    }

    /** The cache folder: {@code CLIP4S_MODEL_HOME}, else {@code ~/.cache/clip4stream/models}. */
    public static Path defaultRoot(Map<String, String> environment) {
        String home = environment.get(HOME_VARIABLE);
        if (home != null && !home.isBlank()) {
            return Path.of(home.strip());
        }
        return Path.of(System.getProperty("user.home"), ".cache", "clip4stream", "models");
    }

    /** Returns the cache folder. */
    public Path root() {
        return root;
    }

    /** Returns the registry of named models. */
    public ModelRegistry registry() {
        return registry;
    }

    /** Returns whether {@code reference} is a URL rather than a registry name. */
    public static boolean isUrl(String reference) {
        return reference.startsWith("https://") || reference.startsWith("http://");
    }

    /**
     * The source a reference names: a registry name, optionally at another revision (Hugging Face models), or a URL;
     * {@code sha256} pins the checkpoint's digest.
     */
    public ModelSource source(String reference, Optional<String> revision, Optional<String> sha256)
            throws ModelPullException {
        Optional<ExpectedSha256> digest;
        try {
            digest = sha256.map(hex -> new ExpectedSha256(hex, "given with --sha256"));
        } catch (IllegalArgumentException e) {
            throw new ModelPullException(e.getMessage(), e);
        }
        if (isUrl(reference)) {
            if (revision.isPresent()) {
                throw new ModelPullException("--revision applies to named models; a URL is pinned with --sha256");
            }
            try {
                return ModelRegistry.forUrl(URI.create(reference), digest);
            } catch (IllegalArgumentException e) {
                throw new ModelPullException("cannot pull " + reference + ": " + e.getMessage(), e);
            }
        }
        ModelSource source = registry.find(reference)
                .orElseThrow(() -> new ModelPullException("no model named '" + reference + "'; known: "
                        + registry.sources().stream().map(ModelSource::name).toList()
                        + " (or give an https:// URL of a checkpoint)"));
        try {
            if (revision.isPresent()) {
                source = withRevision(source, revision.get());
            }
            if (digest.isPresent()) {
                source = withCheckpointSha256(source, digest.get());
            }
        } catch (IllegalArgumentException e) {
            throw new ModelPullException(e.getMessage(), e);
        }
        return source;
    }

    /** Returns the model directory of {@code source} in the cache, when it has been pulled completely. */
    public Optional<Path> cached(ModelSource source) {
        Path modelDir = modelDir(source);
        return isComplete(modelDir) ? Optional.of(modelDir) : Optional.empty();
    }

    /**
     * Returns {@code source}'s model directory, downloading, verifying and converting it first unless it is cached.
     *
     * @param out where to write the model directory instead of the cache (the downloads are still cached)
     * @param offline whether the network may not be used: then a model that is not cached is an error
     */
    public PulledModel pull(
            ModelSource source, Optional<Path> out, boolean offline, DownloadProgress progress, Installer installer)
            throws ModelPullException {
        Path modelDir = out.orElse(modelDir(source));
        Path downloads = folder(source).resolve("files");
        try {
            if (isComplete(modelDir)) {
                return new PulledModel(modelDir, Provenance.read(modelDir), false);
            }
            boolean allDownloaded =
                    source.files().stream().allMatch(file -> Files.isRegularFile(downloads.resolve(file.fileName())));
            if (offline && !allDownloaded) {
                throw new ModelPullException("model " + source.name() + " (revision " + source.revision()
                        + ") is not in the cache " + root + " and offline mode forbids downloading it; pull it where"
                        + " the network is reachable (bin/clip4stream model pull " + source.name() + "), or point "
                        + HOME_VARIABLE + " at a cache that has it");
            }
            List<DownloadedFile> files = new ArrayList<>();
            for (ModelFile file : source.files()) {
                files.add(downloader.download(file, downloads, progress));
            }
            Map<String, String> settings = new LinkedHashMap<>(source.conversion());
            settings.putIfAbsent("model_id", source.name());
            settings.putIfAbsent("model_version", source.revision());
            settings.put("trained_heads", String.join(",", source.trainedHeads()));
            Files.createDirectories(modelDir);
            String summary = installer.install(
                    downloads.resolve(source.checkpointFile()),
                    source.hasTokenizer() ? Optional.of(downloads) : Optional.empty(),
                    settings,
                    modelDir);
            List<Provenance.FileRecord> records = new ArrayList<>();
            Optional<String> commit = Optional.empty();
            for (int i = 0; i < files.size(); i++) {
                DownloadedFile file = files.get(i);
                records.add(new Provenance.FileRecord(
                        source.files().get(i).fileName(),
                        source.files().get(i).url().toString(),
                        file.sha256(),
                        file.size(),
                        file.verification()));
                commit = commit.or(file::repositoryCommit);
            }
            Provenance provenance = new Provenance(
                    source.name(),
                    source.revision(),
                    commit,
                    records,
                    source.licence(),
                    source.licenceUrl(),
                    source.trainedHeads(),
                    Instant.now().toString(),
                    summary);
            provenance.write(modelDir);
            return new PulledModel(modelDir, provenance, true);
        } catch (ModelPullException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new ModelPullException(
                    "cannot install model " + source.name() + " into " + modelDir + ": " + e.getMessage(), e);
        }
    }

    /** Returns every complete model in the cache, with its size and provenance. */
    public List<CachedModel> list() throws IOException {
        List<CachedModel> models = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return models;
        }
        try (Stream<Path> found = Files.walk(root, 6)) {
            for (Path provenance : found.filter(p -> p.getFileName().toString().equals(Provenance.FILE))
                    .sorted()
                    .toList()) {
                Path modelDir = provenance.getParent();
                if (isComplete(modelDir)) {
                    models.add(new CachedModel(modelDir, size(modelDir.getParent()), Provenance.read(modelDir)));
                }
            }
        }
        return models;
    }

    private Path folder(ModelSource source) {
        Path folder = root;
        for (String part : source.name().split("/")) {
            folder = folder.resolve(part);
        }
        return folder.resolve(source.revision());
    }

    private Path modelDir(ModelSource source) {
        return folder(source).resolve("model");
    }

    private static boolean isComplete(Path modelDir) {
        return Files.isRegularFile(modelDir.resolve(Provenance.FILE))
                && Files.isRegularFile(modelDir.resolve("config.json"));
    }

    private static long size(Path folder) throws IOException {
        try (Stream<Path> files = Files.walk(folder)) {
            long total = 0;
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                total += Files.size(file);
            }
            return total;
        }
    }

    /** A Hugging Face source at another revision: its resolve URLs name the revision. */
    static ModelSource withRevision(ModelSource source, String revision) {
        String marker = "/resolve/" + source.revision() + "/";
        if (source.files().stream().noneMatch(file -> file.url().getPath().contains(marker))) {
            throw new IllegalArgumentException(source.name() + " is pinned by its digest; --revision does not apply");
        }
        List<ModelFile> files = new ArrayList<>();
        for (ModelFile file : source.files()) {
            files.add(new ModelFile(
                    file.fileName(),
                    URI.create(file.url().toString().replace(marker, "/resolve/" + revision + "/")),
                    Optional.empty()));
        }
        return new ModelSource(
                source.name(),
                revision,
                source.description(),
                files,
                source.checkpointFile(),
                source.licence(),
                source.licenceUrl(),
                source.trainedHeads(),
                source.conversion(),
                source.note());
    }

    private static ModelSource withCheckpointSha256(ModelSource source, ExpectedSha256 digest) {
        List<ModelFile> files = new ArrayList<>();
        for (ModelFile file : source.files()) {
            if (file.fileName().equals(source.checkpointFile())) {
                file.sha256().ifPresent(pinned -> {
                    if (!digest.hex().startsWith(pinned.hex()) && !pinned.hex().startsWith(digest.hex())) {
                        throw new IllegalArgumentException("--sha256 " + digest.hex() + " contradicts the digest "
                                + pinned.hex() + " pinned for " + source.name());
                    }
                });
                files.add(new ModelFile(file.fileName(), file.url(), Optional.of(digest)));
            } else {
                files.add(file);
            }
        }
        return new ModelSource(
                source.name(),
                source.revision(),
                source.description(),
                files,
                source.checkpointFile(),
                source.licence(),
                source.licenceUrl(),
                source.trainedHeads(),
                source.conversion(),
                source.note());
    }
}
