package io.clip4stream.model.spec;

import java.util.List;

/** A checkpoint whose tensors do not fit the configured CLIP4Clip network; lists every problem found, by name. */
public final class InvalidCheckpointException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The problems, one line each, kept as a plain list so the exception stays serialisable. */
    private final List<String> problems;

    /** Creates the exception for checkpoint {@code source} with at least one problem. */
    public InvalidCheckpointException(String source, List<String> problems) {
        super(message(source, problems));
        this.problems = List.copyOf(problems);
    }

    /** Returns one human-readable line per problem, such as a missing tensor with its expected shape. */
    public List<String> problems() {
        return problems;
    }

    private static String message(String source, List<String> problems) {
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("an invalid checkpoint needs at least one problem");
        }
        StringBuilder text = new StringBuilder()
                .append("checkpoint ")
                .append(source)
                .append(" does not fit the configured CLIP4Clip model (")
                .append(problems.size())
                .append(problems.size() == 1 ? " problem):" : " problems):");
        for (String problem : problems) {
            text.append("\n  - ").append(problem);
        }
        return text.toString();
    }
}
