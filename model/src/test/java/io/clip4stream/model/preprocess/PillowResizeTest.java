package io.clip4stream.model.preprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Both filters against Pillow 11.3.0 (whose {@code Resample.c} arithmetic is 9.4's): SHA-256 of the RGB bytes of
 * {@code Image.frombytes("RGB", (w, h), pattern).resize((ow, oh), filter).tobytes()}, with the pattern of
 * {@link #pattern}; hashes keep the 341x256 case (MMAction2's short side 256 of a 320x240 frame) small.
 */
class PillowResizeTest {

    /** {@code (x * 37 + y * 101 + c * 53 + (x * y) % 17) % 256}, rows top to bottom, channels R, G, B. */
    private static RgbImage pattern(int width, int height) {
        byte[] rgb = new byte[width * height * 3];
        int i = 0;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                for (int c = 0; c < 3; c++) {
                    rgb[i++] = (byte) ((x * 37 + y * 101 + c * 53 + (x * y) % 17) % 256);
                }
            }
        }
        return new RgbImage(width, height, rgb);
    }

    private static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @ParameterizedTest
    @CsvSource({
        "BILINEAR, 50, 37, 23, 17, f89d727769baa1d65c9547e17367026e86cf24f8a9450f5df6d19f182c61688e",
        "BILINEAR, 50, 37, 80, 61, e46e0891b818d53d36a145ed063067128c8e60aba919cf039a5ea5ce5e8d1344",
        "BILINEAR, 50, 37, 50, 20, d2808414a0aa1a4e72314d9127aae7292d926a3aa84bb6cd95dd739be56bdcd1",
        "BILINEAR, 50, 37, 31, 37, 7ca54d46f20bc9ffdee875ac8969cf5ec5728a0ae0684d4529741bb0e35506ef",
        "BILINEAR, 320, 240, 341, 256, bf9549c5dbc15e87b2fe3a45725e2f926405bc0df88de6a2f1c4a2a7722241a2",
        "BILINEAR, 7, 5, 3, 2, 0b5705979e57c728c1768c3196b55a7c7e57d39b6acc86b99402d2e03b5b36fc",
        "BICUBIC, 50, 37, 23, 17, 1dff979fd9f131b773739ab300d6676c5785f1497fa97045cf0ebb10121decb8",
        "BICUBIC, 50, 37, 80, 61, 0f955efc64d60e9d2c4d00078f9d6ba334661d955f55861152a999585f4da021",
        "BICUBIC, 50, 37, 50, 20, 3d803ee792068d574571f59902c7471c9f32737797106ee449f97131879656e1",
        "BICUBIC, 50, 37, 31, 37, ac88cf918798f2caaf97feb7d7ea0507797e74898c945ecf44f5d37927c2be43",
        "BICUBIC, 320, 240, 341, 256, 4e6fe4b36a30d6063fd4318fc75257b1748f5acf18e1f8064db055c8d29af3b0",
        "BICUBIC, 7, 5, 3, 2, 80a31d9140f8d4a46e6efd99426782ade86e828e2f3409c8d8e3715d217e3ef4"
    })
    void shouldResizeBitForBitAsPillow(
            PillowResize.Filter filter, int width, int height, int outWidth, int outHeight, String expected)
            throws NoSuchAlgorithmException {
        RgbImage resized = new PillowResize(filter).resize(pattern(width, height), outWidth, outHeight);
        assertEquals(outWidth, resized.width());
        assertEquals(outHeight, resized.height());
        assertEquals(expected, sha256(resized.pixels()));
    }
}
