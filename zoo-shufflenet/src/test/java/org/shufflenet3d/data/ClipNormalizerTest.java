package org.shufflenet3d.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.shufflenet3d.InvalidClipException;
import org.shufflenet3d.video.ClipNormalization;
import org.shufflenet3d.video.ClipNormalization.ChannelOrder;
import org.shufflenet3d.video.ClipNormalization.Mean;
import org.shufflenet3d.video.RgbFrame;

/** The DataSetPreProcessor gives, bit for bit, the values ClipNormalization gives for the same frames. */
class ClipNormalizerTest {

    private static final int FRAMES = 3;
    private static final int HEIGHT = 5;
    private static final int WIDTH = 4;

    @Test
    void equalsClipNormalizationForEveryOption() {
        List<List<RgbFrame>> clips = List.of(frames(1), frames(2));
        INDArray raw = rawBatch(clips);
        for (ClipNormalization normalization : List.of(ClipNormalization.DEFAULT,
                ClipNormalization.of(Mean.KINETICS, true, 255, ChannelOrder.BGR),
                ClipNormalization.of(Mean.ACTIVITYNET, false, 1, ChannelOrder.BGR))) {
            DataSet batch = new DataSet(raw.dup(), Nd4j.zeros(2, 4));
            new ClipNormalizer(normalization).preProcess(batch);
            for (int n = 0; n < clips.size(); n++) {
                assertEquals(normalization.toArray(clips.get(n)), batch.getFeatures().slice(n), normalization.toString());
            }
        }
    }

    @Test
    void takesIntegerPixelsAndRefusesOtherShapes() {
        List<List<RgbFrame>> clips = List.of(frames(3));
        INDArray pixels = rawBatch(clips).castTo(DataType.INT);
        assertEquals(ClipNormalization.DEFAULT.toArray(clips.get(0)),
                ClipNormalizer.reference().normalize(pixels).slice(0));
        InvalidClipException e = assertThrows(InvalidClipException.class,
                () -> ClipNormalizer.reference().normalize(Nd4j.zeros(2, 3, 8, 8)));
        assertEquals("expected raw RGB clips shaped [N, 3, frames, height, width] (0-255 pixels), got FLOAT [2, 3, 8, 8]",
                e.getMessage());
        assertThrows(InvalidClipException.class, () -> ClipNormalizer.reference().normalize(Nd4j.zeros(1, 4, 2, 2, 2)));
    }

    private static List<RgbFrame> frames(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<RgbFrame> frames = new ArrayList<>();
        for (int t = 0; t < FRAMES; t++) {
            byte[] pixels = new byte[3 * HEIGHT * WIDTH];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (byte) random.nextInt(256);
            }
            frames.add(new RgbFrame(WIDTH, HEIGHT, pixels));
        }
        return frames;
    }

    /** The frames' pixels as [N, 3, T, H, W] in RGB order, 0-255. */
    private static INDArray rawBatch(List<List<RgbFrame>> clips) {
        INDArray raw = Nd4j.create(DataType.FLOAT, clips.size(), 3, FRAMES, HEIGHT, WIDTH);
        for (int n = 0; n < clips.size(); n++) {
            for (int t = 0; t < FRAMES; t++) {
                RgbFrame frame = clips.get(n).get(t);
                for (int c = 0; c < 3; c++) {
                    for (int y = 0; y < HEIGHT; y++) {
                        for (int x = 0; x < WIDTH; x++) {
                            raw.putScalar(new long[] {n, c, t, y, x}, frame.value(x, y, c));
                        }
                    }
                }
            }
        }
        return raw;
    }
}
