package io.clip4stream.app.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DemoWorldTest {

    private final DemoWorld world = new DemoWorld(7);

    @Test
    void aSceneIsAFunctionOfSeedSplitAndIndex() {
        assertEquals(world.scene(DemoWorld.Split.TRAIN, 5), new DemoWorld(7).scene(DemoWorld.Split.TRAIN, 5));
        assertNotEquals(world.scene(DemoWorld.Split.TRAIN, 5), world.scene(DemoWorld.Split.TRAIN, 6));
        assertNotEquals(world.scene(DemoWorld.Split.TRAIN, 5), new DemoWorld(8).scene(DemoWorld.Split.TRAIN, 5));

        SceneRenderer renderer = new SceneRenderer(64, 64);
        Scene scene = world.scene(DemoWorld.Split.ANY, 3);
        assertArrayEquals(
                pixels(renderer.render(scene, 0.5, new Random(1))), pixels(renderer.render(scene, 0.5, new Random(1))));
    }

    @Test
    void captionsSayWhatTheSceneHolds() {
        for (int i = 0; i < 300; i++) {
            Scene scene = world.scene(DemoWorld.Split.ANY, i);
            for (String caption : scene.captions()) {
                for (SceneObject object : scene.objects()) {
                    assertTrue(caption.contains(object.colour().word() + " "), caption + " lacks " + object);
                    assertTrue(
                            object.shape().words().stream().anyMatch(w -> caption.contains(" " + w + " ")),
                            caption + " lacks the shape of " + object);
                    assertTrue(
                            object.motion().phrases().stream().anyMatch(caption::contains),
                            caption + " lacks the motion of " + object);
                    if (object.motion().keepsSize()) {
                        List<String> wrongSize = object.big() ? List.of("small", "tiny") : List.of("big", "large");
                        // A size word, when present, stands right before the object's own colour and shape.
                        assertFalse(
                                wrongSize.stream()
                                        .anyMatch(w -> object.shape().words().stream()
                                                .anyMatch(shape -> caption.contains(w + " "
                                                        + object.colour().word() + " " + shape + " "))),
                                caption + " gives " + object + " the wrong size");
                    }
                }
            }
            assertEquals(scene.captions().size(), new HashSet<>(scene.captions()).size());
            assertTrue(scene.captions().size() >= 2, "several phrasings: " + scene.captions());
        }
    }

    @Test
    void theWorldHasEveryAttributeAndTheTrainingSplitNeverShowsAHeldOutPair() {
        Set<Shape> shapes = EnumSet.noneOf(Shape.class);
        Set<Colour> colours = EnumSet.noneOf(Colour.class);
        Set<Motion> motions = EnumSet.noneOf(Motion.class);
        Set<Integer> counts = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            Scene scene = world.scene(DemoWorld.Split.TRAIN, i);
            counts.add(scene.objects().size());
            for (SceneObject o : scene.objects()) {
                shapes.add(o.shape());
                colours.add(o.colour());
                motions.add(o.motion());
                assertFalse(DemoWorld.HELD_OUT_PAIRS.contains(List.of(o.colour(), o.shape())), o.toString());
            }
            Scene held = world.scene(DemoWorld.Split.HELD_OUT, i);
            SceneObject first = held.objects().get(0);
            assertTrue(DemoWorld.HELD_OUT_PAIRS.contains(List.of(first.colour(), first.shape())), first.toString());
        }
        assertEquals(EnumSet.allOf(Shape.class), shapes);
        assertEquals(EnumSet.allOf(Colour.class), colours);
        assertEquals(EnumSet.allOf(Motion.class), motions);
        assertEquals(Set.of(1, 2, 3), counts);
    }

    @Test
    void motionsMoveTheObjectTheWayTheCaptionSays() {
        SceneObject left = new SceneObject(Shape.SQUARE, Colour.RED, true, Motion.LEFT, 0.5, 0.5);
        assertTrue(left.pose(1).x() < left.pose(0).x());
        SceneObject up = new SceneObject(Shape.SQUARE, Colour.RED, true, Motion.UP, 0.5, 0.5);
        assertTrue(up.pose(1).y() < up.pose(0).y(), "up is towards the top (smaller y)");
        SceneObject grow = new SceneObject(Shape.STAR, Colour.RED, true, Motion.GROW, 0.5, 0.5);
        assertTrue(grow.pose(1).size() > grow.pose(0).size());
        SceneObject appear = new SceneObject(Shape.STAR, Colour.RED, true, Motion.APPEAR, 0.5, 0.5);
        assertFalse(appear.pose(0).visible());
        assertTrue(appear.pose(1).visible());

        // Rendered: the red square's pixels are further left at the end than at the start.
        Scene scene = new Scene(
                new Background(java.awt.Color.BLACK, Background.Texture.PLAIN, 0),
                List.of(left),
                List.of("a red square moves to the left"));
        SceneRenderer renderer = new SceneRenderer(64, 64);
        assertTrue(meanRedX(renderer.render(scene, 1, new Random(0)))
                < meanRedX(renderer.render(scene, 0, new Random(0))) - 10);
    }

    private static double meanRedX(BufferedImage image) {
        double sum = 0;
        int count = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y);
                if (((rgb >> 16) & 0xFF) > 150 && ((rgb >> 8) & 0xFF) < 80) {
                    sum += x;
                    count++;
                }
            }
        }
        return sum / count;
    }

    private static byte[] pixels(BufferedImage image) {
        return ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
    }
}
