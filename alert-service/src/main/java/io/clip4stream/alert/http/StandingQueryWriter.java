package io.clip4stream.alert.http;

import io.clip4stream.schemas.avro.StandingQuery;

/** Writes standing queries to their compacted topic (a fake in route tests). */
public interface StandingQueryWriter {

    /** Writes {@code query} under its id, returning once it is acknowledged. */
    void write(StandingQuery query);

    /** Writes a tombstone for {@code queryId}, returning once it is acknowledged. */
    void delete(String queryId);
}
