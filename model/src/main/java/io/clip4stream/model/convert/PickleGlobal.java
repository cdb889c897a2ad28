package io.clip4stream.model.convert;

import java.util.Objects;

/**
 * A global named by a pickle ({@code GLOBAL} or {@code STACK_GLOBAL}): only a name, never resolved to code.
 *
 * @param module the Python module, e.g. {@code torch._utils}
 * @param name the attribute in that module, e.g. {@code _rebuild_tensor_v2}
 */
public record PickleGlobal(String module, String name) {

    /** Validates both parts. */
    public PickleGlobal {
        Objects.requireNonNull(module, "module");
        Objects.requireNonNull(name, "name");
    }

    /** Returns {@code module.name}. */
    public String qualifiedName() {
        return module + "." + name;
    }

    @Override
    public String toString() {
        return qualifiedName();
    }
}
