package io.clip4stream.model.convert;

import java.io.Closeable;
import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The named tensors of a source checkpoint, as stored (names and dtypes unchanged), with the open file they are read
 * from.
 */
public final class StateDict implements AutoCloseable {

    private final String source;
    private final SourceFormat format;
    private final Map<String, SourceTensor> tensors;
    private final Closeable file;

    /** Wraps tensors read from {@code source}; {@code file} is closed with this state dict. */
    public StateDict(String source, SourceFormat format, Map<String, SourceTensor> tensors, Closeable file) {
        this.source = Objects.requireNonNull(source, "source");
        this.format = Objects.requireNonNull(format, "format");
        this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        this.file = Objects.requireNonNull(file, "file");
    }

    /** Returns the file name for messages. */
    public String source() {
        return source;
    }

    /** Returns the format the tensors were read from. */
    public SourceFormat format() {
        return format;
    }

    /** Returns the tensors by stored name, in the order of the source. */
    public Map<String, SourceTensor> tensors() {
        return tensors;
    }

    /** Closes the underlying file; tensors not yet read can no longer be read. */
    @Override
    public void close() throws IOException {
        file.close();
    }
}
