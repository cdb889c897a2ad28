/**
 * Pure matching logic, no Kafka or HTTP: the matrix of standing-query vectors, per-query score calibration, and the
 * merging of consecutive matching clips into moments.
 */
package io.clip4stream.alert.match;
