/**
 * Search by example, the pure parts: an uploaded image checked and decoded under limits, a multipart body read, and
 * query vectors combined. Nothing here sees the model, Kafka or the shards.
 */
package io.clip4stream.query.example;
