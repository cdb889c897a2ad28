package io.clip4stream.runtime.http;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A Server-Sent Events response being written: each event is framed as the {@code text/event-stream} format asks
 * ({@code id:}, {@code event:}, one {@code data:} line per line of data, a blank line) and flushed at once, so a client
 * sees it as soon as it is sent. Writing fails with an {@link IOException} once the client has gone.
 */
public final class EventStream implements AutoCloseable {
    private final OutputStream out;

    EventStream(OutputStream out) {
        this.out = Objects.requireNonNull(out, "out");
    }

    /** Sends one event named {@code name} (null: the default "message") with id {@code id} (null: none). */
    public synchronized void event(String id, String name, String data) throws IOException {
        Objects.requireNonNull(data, "data");
        StringBuilder frame = new StringBuilder();
        if (id != null) {
            frame.append("id: ").append(singleLine(id)).append('\n');
        }
        if (name != null) {
            frame.append("event: ").append(singleLine(name)).append('\n');
        }
        for (String line : data.split("\r\n|\r|\n", -1)) {
            frame.append("data: ").append(line).append('\n');
        }
        frame.append('\n');
        write(frame.toString());
    }

    /** Sends a comment line, which clients ignore: it keeps proxies from closing an idle stream. */
    public synchronized void comment(String text) throws IOException {
        write(": " + singleLine(text) + "\n\n");
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }

    private void write(String frame) throws IOException {
        out.write(frame.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static String singleLine(String text) {
        // A line break inside an id, name or comment would end the field early and could forge another field.
        return text.replaceAll("[\r\n]", " ");
    }
}
