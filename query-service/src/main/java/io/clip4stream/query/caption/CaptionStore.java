package io.clip4stream.query.caption;

import io.clip4stream.schemas.avro.Caption;
import java.util.List;

/** Where captions are kept: the compacted captions topic in production, a list in tests. */
public interface CaptionStore {

    /** Stores {@code captions} (all of them, or fails); a caption with an existing id replaces the old one. */
    void append(List<Caption> captions);

    /** Returns every caption stored, in no particular order. */
    List<Caption> all();
}
