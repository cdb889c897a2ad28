/** Benchmarks of the model itself, measured next to a baseline from the same run (the machine's matmul rate). */
package io.clip4stream.model.bench;
