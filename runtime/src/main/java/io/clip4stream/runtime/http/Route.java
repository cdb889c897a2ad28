package io.clip4stream.runtime.http;

/** Handles the requests of one path; throws {@link ApiException} for client errors. */
@FunctionalInterface
public interface Route {
    /** Answers one request. */
    void handle(Exchange exchange) throws Exception;
}
