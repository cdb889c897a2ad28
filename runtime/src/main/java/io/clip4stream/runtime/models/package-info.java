/**
 * Named models and their download: the registry of published checkpoints, a verified, resumable downloader, and the
 * cache of converted model directories with their provenance.
 */
package io.clip4stream.runtime.models;
