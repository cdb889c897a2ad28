package io.clip4stream.index.store;

import java.nio.file.Path;

/** The reference store passes the contract. */
class ExactScanClipStoreTest extends ClipVectorStoreContract {

    @Override
    protected ClipVectorStore openStore(Path dir) {
        return new ExactScanClipStore("clip-index");
    }
}
