/** The picocli commands of {@code bin/clip4stream}; each {@code bench} command also prints one JSON object with --json. */
package io.clip4stream.app.cli;
