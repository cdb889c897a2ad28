package io.clip4stream.query.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * A headless Chromium driven over the Chrome DevTools protocol with the JDK's HTTP client and WebSocket: launch,
 * navigate, evaluate JavaScript, take screenshots. Test code; no browser-automation library needed.
 */
final class DevToolsBrowser implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(60);

    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

    private DevToolsBrowser(Process process, Path profile, WebSocket socket, Listener listener) {
        this.process = process;
        this.profile = profile;
        this.socket = socket;
        listener.browser = this;
    }

    /** The Chromium binary: {@code $CHROMIUM}, else {@code chromium} or {@code chromium-browser} on the PATH. */
    static Optional<Path> findChromium() {
        String configured = System.getenv("CHROMIUM");
        if (configured != null && Files.isExecutable(Path.of(configured))) {
            return Optional.of(Path.of(configured));
        }
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            for (String name : List.of("chromium", "chromium-browser")) {
                Path candidate = Path.of(dir, name);
                if (Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    /** Launches Chromium headless with a fresh profile and connects to its first page. */
    static DevToolsBrowser launch(Path chromium) throws Exception {
        Path profile = Files.createTempDirectory("clip4stream-chromium-");
        Process process = new ProcessBuilder(
                        chromium.toString(),
                        "--headless",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-background-networking",
                        "--disable-component-update",
                        "--no-first-run",
                        "--disable-dev-shm-usage",
                        "--user-data-dir=" + profile,
                        "--remote-debugging-port=0",
                        "--window-size=1280,960",
                        "about:blank")
                .redirectErrorStream(true)
                .redirectOutput(profile.resolve("chromium.log").toFile())
                .start();
        try {
            Path portFile = profile.resolve("DevToolsActivePort");
            waitFor(
                    () -> Files.exists(portFile) && readLines(portFile).size() >= 2 || !process.isAlive(),
                    "Chromium to write " + portFile);
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "Chromium exited at start: " + Files.readString(profile.resolve("chromium.log")));
            }
            int port = Integer.parseInt(readLines(portFile).get(0).strip());
            HttpClient http = HttpClient.newHttpClient();
            JsonNode targets = JSON.readTree(http.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body());
            String pageSocket = null;
            for (JsonNode target : targets) {
                if (target.get("type").asText().equals("page")) {
                    pageSocket = target.get("webSocketDebuggerUrl").asText();
                }
            }
            if (pageSocket == null) {
                throw new IllegalStateException("Chromium offers no page target: " + targets);
            }
            Listener listener = new Listener();
            WebSocket socket = http.newWebSocketBuilder()
                    .buildAsync(URI.create(pageSocket), listener)
                    .get(STEP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            return new DevToolsBrowser(process, profile, socket, listener);
        } catch (Exception e) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw e;
        }
    }

    /** Sends one DevTools command and returns its result. */
    JsonNode call(String method, Map<String, Object> params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        ObjectNode message = JSON.createObjectNode();
        message.put("id", id);
        message.put("method", method);
        message.set("params", JSON.valueToTree(params));
        socket.sendText(JSON.writeValueAsString(message), true).get(STEP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        JsonNode response = answer.get(STEP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        if (response.has("error")) {
            throw new IllegalStateException(method + " failed: " + response.get("error"));
        }
        return response.get("result");
    }

    /** Evaluates {@code expression} in the page (awaiting promises) and returns its JSON value. */
    JsonNode evaluate(String expression) throws Exception {
        JsonNode result =
                call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true, "awaitPromise", true));
        if (result.has("exceptionDetails")) {
            throw new IllegalStateException("page script failed: " + result.get("exceptionDetails"));
        }
        return result.get("result").get("value");
    }

    /** Opens {@code url} and waits until the document has loaded. */
    void navigate(URI url) throws Exception {
        call("Page.enable", Map.of());
        call("Page.navigate", Map.of("url", url.toString()));
        waitUntil("document.readyState === 'complete' && location.href !== 'about:blank'");
    }

    /** Waits until {@code condition} (a JavaScript expression) is true in the page. */
    void waitUntil(String condition) throws Exception {
        long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
        while (true) {
            JsonNode value = evaluate("Boolean(" + condition + ")");
            if (value != null && value.asBoolean()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the page never satisfied: " + condition + "; body text: "
                        + evaluate("document.body.innerText"));
            }
            Thread.sleep(100);
        }
    }

    /** Puts {@code file} into the file input matched by {@code selector}, as a user choosing it would. */
    void chooseFile(String selector, Path file) throws Exception {
        chooseFiles(selector, List.of(file));
    }

    /** Sets the files of the file input {@code selector}, as a user choosing several. */
    void chooseFiles(String selector, List<Path> files) throws Exception {
        int root = call("DOM.getDocument", Map.of()).get("root").get("nodeId").asInt();
        int node = call("DOM.querySelector", Map.of("nodeId", root, "selector", selector))
                .get("nodeId")
                .asInt();
        call(
                "DOM.setFileInputFiles",
                Map.of(
                        "nodeId",
                        node,
                        "files",
                        files.stream().map(f -> f.toAbsolutePath().toString()).toList()));
    }

    /** Saves a PNG screenshot of the page to {@code file}. */
    void screenshot(Path file) throws Exception {
        JsonNode shot = call("Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", true));
        Files.createDirectories(file.getParent());
        Files.write(file, Base64.getDecoder().decode(shot.get("data").asText()));
    }

    @Override
    public void close() throws IOException {
        socket.abort();
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (var files = Files.walk(profile)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        }
    }

    private void dispatch(String text) {
        try {
            JsonNode message = JSON.readTree(text);
            if (message.has("id")) {
                CompletableFuture<JsonNode> answer =
                        pending.remove(message.get("id").asInt());
                if (answer != null) {
                    answer.complete(message);
                }
            }
        } catch (IOException e) {
            pending.values().forEach(p -> p.completeExceptionally(e));
        }
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            return List.of();
        }
    }

    private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    /** Collects (possibly fragmented) text frames into messages. */
    private static final class Listener implements WebSocket.Listener {
        private final StringBuilder buffer = new StringBuilder();
        private volatile DevToolsBrowser browser;

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            buffer.append(data);
            if (last) {
                String message = buffer.toString();
                buffer.setLength(0);
                if (browser != null) {
                    browser.dispatch(message);
                }
            }
            webSocket.request(1);
            return null;
        }
    }
}
