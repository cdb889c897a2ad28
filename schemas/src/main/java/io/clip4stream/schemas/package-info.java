/** Avro contracts of every Clip4Stream topic; generated records live in {@code io.clip4stream.schemas.avro}. */
package io.clip4stream.schemas;
