/**
 * The index topology: {@link io.clip4stream.index.topology.IndexTopology#build} wires frame embeddings and source
 * deletions through the {@link io.clip4stream.index.topology.ClipAssembler} and the
 * {@link io.clip4stream.index.topology.ClipIndexer} into each task's clip vector store.
 */
package io.clip4stream.index.topology;
