package io.clip4stream.runtime.models;

/** Receives the progress of a download, a few times a second and once at its end. */
@FunctionalInterface
public interface DownloadProgress {

    /** Ignores progress. */
    DownloadProgress NONE = (file, done, total, bytesPerSecond, finished) -> {};

    /**
     * Reports progress.
     *
     * @param file the file's name
     * @param done bytes on disk, including a resumed part
     * @param total the file's size, or -1 when the server does not say
     * @param bytesPerSecond the rate of this session's transfer
     * @param finished whether the file is complete
     */
    void update(String file, long done, long total, double bytesPerSecond, boolean finished);

    /** Renders one progress line: name, bytes, percentage, rate and time left when the size is known. */
    static String line(String file, long done, long total, double bytesPerSecond) {
        StringBuilder text = new StringBuilder(file).append("  ").append(bytes(done));
        if (total > 0) {
            text.append(" / ").append(bytes(total)).append(String.format(" (%.0f%%)", 100.0 * done / total));
        }
        text.append("  ").append(bytes((long) bytesPerSecond)).append("/s");
        if (total > 0 && bytesPerSecond > 0 && done < total) {
            long seconds = (long) Math.ceil((total - done) / bytesPerSecond);
            text.append(String.format("  ETA %d:%02d:%02d", seconds / 3600, (seconds / 60) % 60, seconds % 60));
        }
        return text.toString();
    }

    /** Renders a byte count with a binary unit, e.g. {@code 337.6 MiB}. */
    static String bytes(long count) {
        if (count < 1024) {
            return count + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = count;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format("%.1f %s", value, units[unit]);
    }
}
