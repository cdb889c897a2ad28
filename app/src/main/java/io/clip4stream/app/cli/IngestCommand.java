package io.clip4stream.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code clip4stream ingest <file|folder|url|stream>...}: submits sources and shows progress until they are searchable.
 */
@Command(
        name = "ingest",
        description =
                "Ingest local files (uploaded), folders of videos, URLs or live streams into a running Clip4Stream"
                        + " and show progress until their clips are searchable (a live stream: until its first clips are).")
public final class IngestCommand implements Callable<Integer> {
    /** Exit status of a request refused before anything was sent (missing or unreadable file). */
    static final int REFUSED = 2;

    /** How many times a busy service is asked again before the command gives up. */
    static final int BUSY_RETRIES = 30;

    /** The longest source id the ingest API takes. */
    static final int MAX_ID_LENGTH = 128;

    /** The file name endings a folder's videos are recognised by. */
    static final Set<String> VIDEO_EXTENSIONS = Set.of(
            "mp4", "m4v", "mov", "mkv", "webm", "avi", "ts", "mts", "m2ts", "mpg", "mpeg", "wmv", "flv", "3gp", "ogv");

    @Spec
    private CommandLine.Model.CommandSpec spec;

    private final Map<String, String> environment;

    @Parameters(
            paramLabel = "SOURCE",
            arity = "1..*",
            description = "Video files, folders (their video files, by name), http(s) URLs, or stream URLs (rtsp, srt,"
                    + " ...).")
    private List<String> sources;

    @Option(names = "--id", description = "Source id of a single source (default: derived from the file or URL name).")
    private String id;

    @Option(names = "--recursive", description = "Also take the videos in the folders' subfolders.")
    private boolean recursive;

    @Option(
            names = "--json",
            description = "Print no progress, only one JSON object at the end: what became of each source, and counts.")
    private boolean json;

    @Option(names = "--ingest-url", description = "Ingest API (default: the running 'clip4stream run').")
    private URI ingestUrl;

    @Option(names = "--query-url", description = "Query API (default: the running 'clip4stream run').")
    private URI queryUrl;

    @Option(names = "--data-dir", description = "State directory of 'run' (default: that of 'run').")
    private Path dataDir;

    @Option(names = "--api-key", description = "API key for the ingest and query APIs.")
    private String apiKey;

    @Option(
            names = "--timeout",
            defaultValue = "600",
            description = "Seconds to wait without progress (default: 600); a long video or folder is followed as long"
                    + " as it progresses.")
    private long timeoutSeconds;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper mapper = new ObjectMapper();

    /** An ingest command finding the running instance through {@code environment} (the state directory). */
    public IngestCommand(Map<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        List<String> named = new ArrayList<>();
        for (String source : sources) {
            Optional<String> refusal = expand(source, named);
            if (refusal.isPresent()) {
                err.println("Error: " + refusal.get());
                err.flush();
                return REFUSED;
            }
        }
        // A file named twice (itself and its folder, say) is ingested once.
        Map<String, String> distinct = new LinkedHashMap<>();
        for (String source : named) {
            String key = source.contains("://")
                    ? source
                    : Path.of(source).toAbsolutePath().normalize().toString();
            distinct.putIfAbsent(key, source);
        }
        List<String> expanded = new ArrayList<>(distinct.values());
        if (id != null && expanded.size() > 1) {
            err.println("Error: --id names a single source; " + expanded.size() + " were given");
            err.flush();
            return REFUSED;
        }
        if (ingestUrl == null || queryUrl == null) {
            RunFile run = RunFile.read(StateDirectory.resolve(dataDir, environment));
            ingestUrl = ingestUrl == null ? run.ingest() : ingestUrl;
            queryUrl = queryUrl == null ? run.page() : queryUrl;
        }
        if (expanded.size() == 1 && !json) {
            String source = expanded.getFirst();
            return followOne(source, id != null ? id : defaultId(source));
        }
        return followMany(id != null ? Map.of(expanded.getFirst(), id) : uniqueIds(expanded));
    }

    /**
     * Adds what {@code source} names to {@code into}: a URL or a file as is, a folder's video files by name; returns
     * why it cannot be ingested, if it cannot.
     */
    private Optional<String> expand(String source, List<String> into) throws java.io.IOException {
        if (source.contains("://")) {
            into.add(source);
            return Optional.empty();
        }
        // A local path is checked here first: the server could only say it is outside its root.
        Path path = Path.of(source);
        if (!Files.exists(path)) {
            return Optional.of("no such file: " + source);
        }
        if (Files.isDirectory(path)) {
            List<String> videos;
            try (Stream<Path> files = recursive ? Files.walk(path) : Files.list(path)) {
                videos = files.filter(IngestCommand::isVideoFile)
                        .map(Path::toString)
                        .sorted()
                        .toList();
            }
            if (videos.isEmpty()) {
                return Optional.of("no video files in " + source + " (looked for ."
                        + String.join(", .", sortedExtensions())
                        + (recursive ? "" : "; --recursive also looks in subfolders") + ")");
            }
            into.addAll(videos);
            return Optional.empty();
        }
        if (!Files.isRegularFile(path)) {
            return Optional.of("not a regular file: " + source + " (give a video file, a folder of them, or a URL)");
        }
        into.add(source);
        return Optional.empty();
    }

    /** A regular, visible file whose name ends like a video's (not macOS's {@code ._name} resource forks). */
    static boolean isVideoFile(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return !name.startsWith(".")
                && dot > 0
                && VIDEO_EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT))
                && Files.isRegularFile(file);
    }

    private static List<String> sortedExtensions() {
        return VIDEO_EXTENSIONS.stream().sorted().toList();
    }

    /** Each source with its default id, made unique with {@code -2}, {@code -3}, ... where two names agree. */
    static Map<String, String> uniqueIds(List<String> sources) {
        Map<String, String> ids = new LinkedHashMap<>();
        Set<String> taken = new HashSet<>();
        for (String source : sources) {
            String base = defaultId(source);
            String candidate = base;
            for (int n = 2; !taken.add(candidate); n++) {
                String suffix = "-" + n;
                candidate = base.substring(0, Math.min(base.length(), MAX_ID_LENGTH - suffix.length())) + suffix;
            }
            ids.put(source, candidate);
        }
        return ids;
    }

    /** One source: submits it and shows a progress bar until it is searchable. */
    private int followOne(String source, String sourceId) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        JsonNode accepted = submit(source, sourceId);
        boolean live = "LIVE".equals(accepted.path("kind").asText());
        out.println("Accepted " + sourceId + " (" + accepted.path("kind").asText() + ")");
        Patience patience = new Patience(Duration.ofSeconds(timeoutSeconds));
        JsonNode status = null;
        while (!patience.exhausted()) {
            status = get(ingestUrl.resolve("/sources/" + encode(sourceId)));
            patience.observe(progress(status));
            String state = status.path("state").asText();
            double percent = status.path("progressPercent").asDouble(0);
            long clips = status.path("clipsEmitted").asLong();
            out.printf(
                    Locale.ROOT,
                    "\r%-9s %s %5.1f%%  %d frames  %d clips   ",
                    state,
                    bar(percent),
                    percent,
                    status.path("framesSampled").asLong(),
                    clips);
            out.flush();
            if (state.equals("FAILED")) {
                out.println();
                err.println("Failed: " + status.path("reason").asText());
                return 1;
            }
            if (searchable(status, live, sourceId)) {
                out.println();
                String warning = truncationWarning(status);
                if (warning != null) {
                    err.println("Warning: " + warning);
                }
                out.println("Searchable: " + clips + " clip(s) of " + sourceId + ". Try: bin/clip4stream search"
                        + " \"...\"");
                return 0;
            }
            Thread.sleep(500);
        }
        out.println();
        err.println("Timed out: no progress for " + timeoutSeconds + " s; last state: "
                + (status == null ? "none" : status.path("state").asText()));
        return 1;
    }

    /**
     * What became of one source.
     *
     * @param source the file or URL
     * @param sourceId its id
     * @param result {@code searchable}, {@code skipped} (ingested before), {@code failed} or {@code timed_out}
     * @param clips its searchable clips
     * @param reason why it failed or timed out, or the warning of a truncated file; null otherwise
     */
    record Outcome(String source, String sourceId, String result, long clips, String reason) {}

    /**
     * Several sources (or any with {@code --json}): submits them one after another (one refused does not stop the
     * others), then prints a line as each becomes searchable or fails and a summary, or with {@code --json} one object
     * at the end; exits 0 only when every one is searchable or was ingested before.
     */
    private int followMany(Map<String, String> ids) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Map<String, Outcome> outcomes = new LinkedHashMap<>(); // by source id, in the order given
        Map<String, Boolean> pending = new LinkedHashMap<>(); // source id -> live
        Map<String, String> sourceOf = new LinkedHashMap<>();
        for (Map.Entry<String, String> source : ids.entrySet()) {
            String sourceId = source.getValue();
            sourceOf.put(sourceId, source.getKey());
            outcomes.put(sourceId, null);
            JsonNode accepted;
            try {
                accepted = submit(source.getKey(), sourceId);
            } catch (RefusedException e) {
                if (e.code().equals("already_done")) {
                    // Running the same folder again after adding videos: the ones done before are skipped.
                    outcomes.put(sourceId, new Outcome(source.getKey(), sourceId, "skipped", 0, null));
                    say(out, sourceId + ": ingested before, skipped");
                } else {
                    outcomes.put(sourceId, new Outcome(source.getKey(), sourceId, "failed", 0, e.getMessage()));
                    say(err, "Failed " + sourceId + ": " + e.getMessage());
                }
                continue;
            }
            say(out, "Accepted " + sourceId + " (" + accepted.path("kind").asText() + ")");
            pending.put(sourceId, "LIVE".equals(accepted.path("kind").asText()));
        }
        Patience patience = new Patience(Duration.ofSeconds(timeoutSeconds));
        Map<String, String> lastState = new LinkedHashMap<>();
        while (!pending.isEmpty() && !patience.exhausted()) {
            StringBuilder round = new StringBuilder();
            for (var it = pending.entrySet().iterator(); it.hasNext(); ) {
                var source = it.next();
                String sourceId = source.getKey();
                JsonNode status = get(ingestUrl.resolve("/sources/" + encode(sourceId)));
                round.append(sourceId).append('=').append(progress(status)).append(';');
                String state = status.path("state").asText();
                lastState.put(sourceId, state);
                if (state.equals("FAILED")) {
                    String reason = status.path("reason").asText();
                    outcomes.put(sourceId, new Outcome(sourceOf.get(sourceId), sourceId, "failed", 0, reason));
                    say(err, "Failed " + sourceId + ": " + reason);
                    it.remove();
                } else if (searchable(status, source.getValue(), sourceId)) {
                    long clips = status.path("clipsEmitted").asLong();
                    String warning = truncationWarning(status);
                    outcomes.put(sourceId, new Outcome(sourceOf.get(sourceId), sourceId, "searchable", clips, warning));
                    say(out, sourceId + ": searchable, " + clips + " clip(s)");
                    if (warning != null) {
                        say(err, "Warning: " + sourceId + ": " + warning);
                    }
                    it.remove();
                }
            }
            patience.observe(round.toString());
            if (!pending.isEmpty()) {
                Thread.sleep(500);
            }
        }
        for (String sourceId : pending.keySet()) {
            String reason = "no progress for " + timeoutSeconds + " s; last state "
                    + lastState.getOrDefault(sourceId, "not seen");
            outcomes.put(sourceId, new Outcome(sourceOf.get(sourceId), sourceId, "timed_out", 0, reason));
        }
        return report(outcomes.values().stream().toList(), out, err);
    }

    /** Prints the summary (or with {@code --json} the one object) and answers the exit status. */
    private int report(List<Outcome> outcomes, PrintWriter out, PrintWriter err) throws Exception {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String result : List.of("searchable", "skipped", "failed", "timed_out")) {
            counts.put(
                    result,
                    outcomes.stream().filter(o -> o.result().equals(result)).count());
        }
        long clips = outcomes.stream().mapToLong(Outcome::clips).sum();
        int total = outcomes.size();
        int status = counts.get("searchable") + counts.get("skipped") == total ? 0 : 1;
        if (json) {
            Map<String, Object> root = new LinkedHashMap<>();
            root.put("sources", outcomes);
            root.put("searchable", counts.get("searchable"));
            root.put("skipped", counts.get("skipped"));
            root.put("failed", counts.get("failed"));
            root.put("timedOut", counts.get("timed_out"));
            root.put("clips", clips);
            out.println(mapper.writeValueAsString(root));
            out.flush();
            return status;
        }
        long skipped = counts.get("skipped");
        out.println("Searchable: " + counts.get("searchable") + " of " + total + " sources, " + clips + " clip(s)"
                + (skipped > 0 ? "; " + skipped + " ingested before" : "") + "."
                + (counts.get("searchable") + skipped > 0 ? " Try: bin/clip4stream search \"...\"" : ""));
        if (counts.get("failed") > 0) {
            err.println("Failed: " + counts.get("failed") + " of " + total + " (reasons above)");
        }
        List<String> waiting = outcomes.stream()
                .filter(o -> o.result().equals("timed_out"))
                .map(o -> o.sourceId() + " (" + o.reason() + ")")
                .toList();
        if (!waiting.isEmpty()) {
            err.println("Timed out: " + String.join(", ", waiting));
        }
        err.flush();
        out.flush();
        return status;
    }

    /** Prints a progress line, unless the command answers with one JSON object. */
    private void say(PrintWriter to, String line) {
        if (!json) {
            to.println(line);
            to.flush();
        }
    }

    /** What a status says of progress: it changes whenever the source moves on. */
    private static String progress(JsonNode status) {
        return status.path("state").asText()
                + '/'
                + status.path("framesSampled").asLong()
                + '/'
                + status.path("clipsEmitted").asLong()
                + '/'
                + status.path("progressPercent").asDouble(0);
    }

    /** A deadline that moves on whenever progress is seen: the command waits up to its timeout without progress. */
    private static final class Patience {
        private final long timeoutNanos;
        private long deadline;
        private String seen;

        Patience(Duration timeout) {
            this.timeoutNanos = timeout.toNanos();
            this.deadline = System.nanoTime() + timeoutNanos;
        }

        void observe(String progress) {
            if (!progress.equals(seen)) {
                seen = progress;
                deadline = System.nanoTime() + timeoutNanos;
            }
        }

        boolean exhausted() {
            return System.nanoTime() - deadline >= 0;
        }
    }

    private JsonNode submit(String source, String sourceId) throws Exception {
        return source.contains("://") ? register(source, sourceId) : upload(Path.of(source), sourceId);
    }

    /** Whether a source in {@code status} is done (a live one: has clips) and all of them are searchable. */
    private boolean searchable(JsonNode status, boolean live, String sourceId) throws Exception {
        String state = status.path("state").asText();
        long clips = status.path("clipsEmitted").asLong();
        return (state.equals("DONE") || (live && clips > 0)) && searchableClips(sourceId) >= Math.max(1, clips);
    }

    /** The reason a searchable source's status still gives (a truncated file: not the whole video), or null. */
    private static String truncationWarning(JsonNode status) {
        String warning = status.path("reason").asText("");
        return warning.isBlank() || status.path("reason").isNull() ? null : warning;
    }

    private JsonNode register(String source, String sourceId) throws Exception {
        String body = mapper.writeValueAsString(Map.of("sourceId", sourceId, "uri", source));
        return send(HttpRequest.newBuilder(ingestUrl.resolve("/sources"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private JsonNode upload(Path file, String sourceId) throws Exception {
        return send(HttpRequest.newBuilder(ingestUrl.resolve("/sources/upload?sourceId=" + encode(sourceId)))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofFile(file)));
    }

    private long searchableClips(String sourceId) throws Exception {
        JsonNode answer = get(queryUrl.resolve("/search?rerank=false&k=100&q=video&sources=" + encode(sourceId)));
        return answer.path("hits").size();
    }

    /**
     * GETs {@code uri}; a busy service (503 or 429, as the services answer under overload) is asked again after its
     * {@code Retry-After}, and one that does not answer at all (restarting, as in a rolling update) after a second,
     * up to {@link #BUSY_RETRIES} times, so that a long ingest is not abandoned for a moment while it goes on.
     */
    private JsonNode get(URI uri) throws Exception {
        for (int attempt = 1; ; attempt++) {
            Duration wait;
            try {
                return send(HttpRequest.newBuilder(uri).GET());
            } catch (BusyException e) {
                wait = e.retryAfter();
                if (attempt >= BUSY_RETRIES) {
                    throw e;
                }
            } catch (UnreachableException e) {
                wait = Duration.ofSeconds(1);
                if (attempt >= BUSY_RETRIES) {
                    throw e;
                }
            }
            Thread.sleep(wait.toMillis());
        }
    }

    private JsonNode send(HttpRequest.Builder request) throws Exception {
        if (apiKey != null) {
            request.header("X-Api-Key", apiKey);
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.net.ConnectException e) {
            throw new UnreachableException(
                    "No Clip4Stream answers at " + ingestUrl + ": start one with 'bin/clip4stream run'", e);
        } catch (java.io.IOException e) {
            // A connection reset or closed mid-answer (a service stopping): as unreachable, not a refusal.
            throw new UnreachableException("Clip4Stream stopped answering at " + ingestUrl + ": " + e, e);
        }
        if (response.statusCode() == 503 || response.statusCode() == 429) {
            throw new BusyException(
                    ServerMessage.of(response.statusCode(), response.body()),
                    ServerMessage.code(response.body()),
                    retryAfter(response));
        }
        if (response.statusCode() >= 400) {
            throw new RefusedException(
                    ServerMessage.of(response.statusCode(), response.body()), ServerMessage.code(response.body()));
        }
        return mapper.readTree(response.body());
    }

    /** The answer's {@code Retry-After} (seconds), kept between 100 ms and 5 s; 1 s when it has none. */
    static Duration retryAfter(HttpResponse<?> response) {
        String header = response.headers().firstValue("Retry-After").orElse("");
        try {
            double seconds = Double.parseDouble(header.strip());
            return Duration.ofMillis(Math.round(Math.max(0.1, Math.min(5.0, seconds)) * 1000));
        } catch (NumberFormatException e) {
            return Duration.ofSeconds(1); // absent, or an HTTP date: wait a second
        }
    }

    private static String bar(double percent) {
        int filled = (int) Math.round(Math.max(0, Math.min(100, percent)) / 5);
        return "[" + "#".repeat(filled) + " ".repeat(20 - filled) + "]";
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    static String defaultId(String source) {
        String name = source.replaceFirst("[?#].*$", "").replaceFirst("/+$", "");
        name = name.substring(name.lastIndexOf('/') + 1).replaceFirst("\\.[A-Za-z0-9]{1,5}$", "");
        name = name.replaceAll("[^A-Za-z0-9._-]", "-");
        name = name.substring(0, Math.min(name.length(), MAX_ID_LENGTH));
        return name.isEmpty() || name.equals(".") || name.equals("..")
                ? "source-" + Long.toHexString(System.nanoTime())
                : name;
    }

    /** No service answers where the command was told to ask; the message says how to start one. */
    static final class UnreachableException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        UnreachableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The service was too busy to answer (503 or 429); ask again after {@link #retryAfter()}. */
    static final class BusyException extends RefusedException {
        private static final long serialVersionUID = 1L;
        private final transient Duration retryAfter;

        BusyException(String message, String code, Duration retryAfter) {
            super(message, code);
            this.retryAfter = retryAfter;
        }

        /** How long the service asked to wait. */
        Duration retryAfter() {
            return retryAfter;
        }
    }

    /** The server refused a request; the message is its own, for the user. */
    static class RefusedException extends IllegalStateException {
        private static final long serialVersionUID = 1L;
        private final String code;

        RefusedException(String message, String code) {
            super(message);
            this.code = code;
        }

        /** The service's error code, e.g. {@code already_done}; empty when it gave none. */
        String code() {
            return code;
        }
    }
}
