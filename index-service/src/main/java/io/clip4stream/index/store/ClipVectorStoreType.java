package io.clip4stream.index.store;

import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.state.QueryableStoreType;
import org.apache.kafka.streams.state.internals.StateStoreProvider;

/**
 * The interactive-query type of clip vector stores: accepts stores by interface and returns one read-only view that
 * merges the top-k of every local active partition.
 */
public final class ClipVectorStoreType implements QueryableStoreType<ReadOnlyClipVectorStore> {

    @Override
    public boolean accepts(StateStore stateStore) {
        return stateStore instanceof ReadOnlyClipVectorStore;
    }

    @Override
    public ReadOnlyClipVectorStore create(StateStoreProvider storeProvider, String storeName) {
        return new CompositeClipVectorStore(() -> storeProvider.stores(storeName, this));
    }
}
