/** Benchmarks of standing-query matching, run by {@code clip4stream bench watch}. */
package io.clip4stream.alert.bench;
