package io.clip4stream.runtime.models;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * A verified download.
 *
 * @param path where it is, under its final name
 * @param size its size in bytes
 * @param sha256 its SHA-256 as computed here
 * @param verification how it was checked, for the provenance file
 * @param repositoryCommit the commit a Hugging Face revision resolved to, when the Hub said
 */
public record DownloadedFile(
        Path path, long size, String sha256, String verification, Optional<String> repositoryCommit) {

    /** Validates the fields. */
    public DownloadedFile {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(verification, "verification");
        Objects.requireNonNull(repositoryCommit, "repositoryCommit");
    }
}
