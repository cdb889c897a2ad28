package io.clip4stream.model.convert;

/**
 * A pickle that names a global outside the few a PyTorch state dict uses: reading stops there, before anything the
 * global names could be looked up, constructed or called.
 */
public final class RefusedGlobalException extends CheckpointFormatException {

    private static final long serialVersionUID = 1L;

    /** The refused global as {@code module.name}. */
    private final String global;

    /** Creates the exception for {@code global} met at byte {@code position} of {@code source}. */
    public RefusedGlobalException(String source, long position, String global, String why) {
        super("refused the pickle global " + global + " at byte " + position + " of " + source + ": " + why
                + " (a pickle is a program; this reader only rebuilds the tensors, dicts and numbers a state dict is"
                + " made of and runs nothing)");
        this.global = global;
    }

    /** Returns the refused global as {@code module.name}, e.g. {@code os.system}. */
    public String global() {
        return global;
    }
}
