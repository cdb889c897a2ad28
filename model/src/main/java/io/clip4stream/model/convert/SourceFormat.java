package io.clip4stream.model.convert;

/** The file formats a checkpoint is read from. */
public enum SourceFormat {
    /** A zip written by {@code torch.save} (PyTorch 1.6 and later): {@code data.pkl} plus {@code data/} records. */
    TORCH_SAVE("torch.save checkpoint"),
    /** A file in the legacy {@code torch.save} format (before PyTorch 1.6): pickles followed by raw storages. */
    LEGACY_TORCH_SAVE("legacy torch.save checkpoint"),
    /** A TorchScript archive written by {@code torch.jit.save}, such as OpenAI's {@code ViT-B-32.pt}. */
    TORCH_SCRIPT("TorchScript archive"),
    /** A safetensors file. */
    SAFETENSORS("safetensors file");

    private final String description;

    SourceFormat(String description) {
        this.description = description;
    }

    /** Returns a short description for messages. */
    public String description() {
        return description;
    }
}
