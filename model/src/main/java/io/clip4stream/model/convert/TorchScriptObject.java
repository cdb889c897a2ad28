package io.clip4stream.model.convert;

import java.util.Map;
import java.util.Objects;

/**
 * An object of a TorchScript archive ({@code __torch__.*} class, such as a module): its class name and attributes,
 * kept as data; no class is looked up or constructed.
 *
 * @param className the qualified TorchScript class name, e.g. {@code __torch__.torch.nn.modules.conv.Conv2d}
 * @param attributes the attributes the archive stores, in order (parameters, buffers, submodules, flags)
 */
public record TorchScriptObject(String className, Map<String, Object> attributes) {

    /** Validates the fields; the attribute map is filled by the reader's {@code BUILD}. */
    public TorchScriptObject {
        Objects.requireNonNull(className, "className");
        Objects.requireNonNull(attributes, "attributes");
    }
}
