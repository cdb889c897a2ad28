package io.clip4stream.index.bench;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Unit vectors for benchmarks: synthetic ones with low intrinsic dimension, like real CLIP embeddings (i.i.d. random
 * 512-d vectors have no neighbourhood structure and defeat every graph index), or real ones read from a file.
 */
public final class EmbeddingLikeVectors {

    /** Intrinsic dimension of the synthetic vectors. */
    public static final int INTRINSIC_DIMENSION = 32;

    /** Standard deviation of the isotropic noise added to each coordinate (the signal has variance 1). */
    public static final double NOISE = 0.5;

    private EmbeddingLikeVectors() {}

    /**
     * {@code count} synthetic unit vectors of {@code dimension}: {@code x = B z / sqrt(32) + 0.5 e}, normalised, with a
     * fixed random 32 x dimension basis B (from {@code seed}), z and e standard normal.
     */
    public static float[][] synthetic(int count, int dimension, long seed) {
        SplittableRandom basisRandom = new SplittableRandom(seed);
        float[][] basis = new float[INTRINSIC_DIMENSION][dimension];
        for (float[] row : basis) {
            for (int i = 0; i < dimension; i++) {
                row[i] = (float) basisRandom.nextGaussian();
            }
        }
        SplittableRandom random = new SplittableRandom(seed * 31 + 17);
        float[][] vectors = new float[count][];
        double scale = 1 / Math.sqrt(INTRINSIC_DIMENSION);
        for (int v = 0; v < count; v++) {
            float[] x = new float[dimension];
            for (int j = 0; j < INTRINSIC_DIMENSION; j++) {
                float z = (float) (random.nextGaussian() * scale);
                float[] row = basis[j];
                for (int i = 0; i < dimension; i++) {
                    x[i] += z * row[i];
                }
            }
            for (int i = 0; i < dimension; i++) {
                x[i] += (float) (random.nextGaussian() * NOISE);
            }
            vectors[v] = normalised(x);
        }
        return vectors;
    }

    /**
     * Reads unit-normalised vectors from {@code file}: {@code .fvecs} (per vector a little-endian int32 dimension,
     * then that many float32s) or text (one vector per line, numbers separated by commas or white space).
     *
     * @throws IOException when the file cannot be read or its vectors differ in dimension
     */
    public static float[][] read(Path file) throws IOException {
        List<float[]> vectors = file.getFileName().toString().endsWith(".fvecs") ? readFvecs(file) : readText(file);
        if (vectors.isEmpty()) {
            throw new IOException("no vectors in " + file);
        }
        int dimension = vectors.getFirst().length;
        for (int i = 0; i < vectors.size(); i++) {
            if (vectors.get(i).length != dimension) {
                throw new IOException("vector " + i + " of " + file + " has dimension " + vectors.get(i).length
                        + ", the first has " + dimension);
            }
        }
        return vectors.stream().map(EmbeddingLikeVectors::normalised).toArray(float[][]::new);
    }

    private static List<float[]> readFvecs(Path file) throws IOException {
        List<float[]> vectors = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file);
                DataInputStream data = new DataInputStream(new java.io.BufferedInputStream(in, 1 << 16))) {
            byte[] header = new byte[4];
            while (true) {
                try {
                    data.readFully(header);
                } catch (EOFException end) {
                    break;
                }
                int dimension =
                        ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getInt();
                if (dimension <= 0 || dimension > 65_536) {
                    throw new IOException(
                            "bad dimension " + dimension + " at vector " + vectors.size() + " of " + file);
                }
                byte[] body = new byte[dimension * 4];
                data.readFully(body);
                float[] vector = new float[dimension];
                ByteBuffer.wrap(body)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .asFloatBuffer()
                        .get(vector);
                vectors.add(vector);
            }
        }
        return vectors;
    }

    private static List<float[]> readText(Path file) throws IOException {
        List<float[]> vectors = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(file)) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                String trimmed = line.strip();
                if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                    continue;
                }
                String[] parts = trimmed.split("[,\\s]+");
                float[] vector = new float[parts.length];
                try {
                    for (int i = 0; i < parts.length; i++) {
                        vector[i] = Float.parseFloat(parts[i]);
                    }
                } catch (NumberFormatException e) {
                    throw new IOException("line " + number + " of " + file + " is not a list of numbers", e);
                }
                vectors.add(vector);
            }
        }
        return vectors;
    }

    /** {@code x} scaled to unit length. */
    static float[] normalised(float[] x) {
        double norm = 0;
        for (float value : x) {
            norm += value * value;
        }
        if (norm == 0) {
            throw new IllegalArgumentException("a zero vector cannot be normalised");
        }
        float scale = (float) (1 / Math.sqrt(norm));
        float[] unit = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            unit[i] = x[i] * scale;
        }
        return unit;
    }
}
