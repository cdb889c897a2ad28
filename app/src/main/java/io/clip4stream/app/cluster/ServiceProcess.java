package io.clip4stream.app.cluster;

import io.clip4stream.app.Main;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One service instance in a JVM of its own, started as {@code clip4stream <service>} (what a container runs) with its
 * settings in the environment, so that {@link #kill()} is a real crash: SIGKILL, no shutdown hook, no flush, no
 * leaving the consumer group.
 */
public final class ServiceProcess implements AutoCloseable {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final String command;
    private final Map<String, String> environment;
    private final int port;
    private final Path log;
    private Process process;

    /**
     * An instance named {@code name} running {@code command} (e.g. {@code index-service}) whose HTTP host listens on
     * {@code port}; its output goes to {@code logDir/name.log}, appended across restarts.
     */
    public ServiceProcess(String name, String command, Map<String, String> environment, int port, Path logDir) {
        this.name = name;
        this.command = command;
        this.environment = Map.copyOf(environment);
        this.port = port;
        this.log = logDir.resolve(name + ".log");
    }

    /** Starts the JVM (again, after a kill), on the same port, state and settings. */
    public synchronized ServiceProcess start() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(name + " is running");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // The test JVM's own flags (native access, vector module, DJL offline, caches), with a smaller heap.
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!arg.startsWith("-Xmx") && !arg.startsWith("-agentlib") && !arg.startsWith("-javaagent")) {
                cmd.add(arg);
            }
        }
        cmd.addAll(List.of("-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), command));
        ProcessBuilder builder = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        // Only this instance's settings: none leak in from the environment the tests run in.
        builder.environment().keySet().removeIf(key -> key.startsWith("CLIP4S_"));
        builder.environment().putAll(environment);
        try {
            Files.writeString(
                    log,
                    "==== start " + name + ": " + String.join(" ", cmd.subList(cmd.size() - 2, cmd.size())) + "\n",
                    StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start " + name, e);
        }
        return this;
    }

    /** Kills the JVM with SIGKILL and waits until it is gone. */
    public synchronized void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException(name + " (pid " + process.pid() + ") survived SIGKILL for 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while killing " + name, e);
        }
    }

    /** Whether the JVM is alive. */
    public synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** The instance's name. */
    public String name() {
        return name;
    }

    /** The base URI of its HTTP host. */
    public URI uri() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** Whether {@code /ready} answers 200; fails when the JVM has exited, with the end of its log. */
    public boolean ready() {
        if (!isAlive()) {
            throw new IllegalStateException(
                    name + " exited with " + process.exitValue() + "; its log ends with:\n" + logTail());
        }
        try {
            return HTTP.send(
                                    HttpRequest.newBuilder(uri().resolve("/ready"))
                                            .timeout(Duration.ofSeconds(5))
                                            .build(),
                                    HttpResponse.BodyHandlers.discarding())
                            .statusCode()
                    == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Its {@code /metrics} text. */
    public String metrics() throws IOException, InterruptedException {
        return HTTP.send(
                        HttpRequest.newBuilder(uri().resolve("/metrics"))
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    /** The last 60 lines of its log, for failure messages. */
    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(log " + log + " unreadable: " + e + ")";
        }
    }

    /** Kills the JVM if it still runs: the test is over, and a clean stop would only cost time. */
    @Override
    public void close() {
        kill();
    }
}
