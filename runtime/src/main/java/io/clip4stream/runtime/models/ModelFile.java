package io.clip4stream.runtime.models;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * One file of a model to download.
 *
 * @param fileName the name it is stored under in the cache
 * @param url where it is downloaded from
 * @param sha256 the digest it must have, when one is published
 */
public record ModelFile(String fileName, URI url, Optional<ExpectedSha256> sha256) {

    /** Validates the fields. */
    public ModelFile {
        Objects.requireNonNull(fileName, "fileName");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(sha256, "sha256");
        if (!fileName.matches("[A-Za-z0-9._-]+") || fileName.startsWith(".")) {
            throw new IllegalArgumentException("file name '" + fileName + "' must be a plain file name");
        }
        String scheme = url.getScheme();
        if (!"https".equals(scheme) && !"http".equals(scheme)) {
            throw new IllegalArgumentException("only http(s) URLs are downloaded, got " + url);
        }
    }
}
