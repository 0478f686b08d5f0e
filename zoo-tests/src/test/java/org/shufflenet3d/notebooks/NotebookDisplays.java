package org.shufflenet3d.notebooks;

import java.awt.image.Raster;
import java.awt.image.RenderedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * What a notebook run under {@link NotebookTest} displayed: its {@code display(Object)} calls land here, as IJava's
 * land in the notebook's output. An image must have pixels and more than one colour, or the call fails in the cell.
 */
public final class NotebookDisplays {

    private static final List<Object> DISPLAYED = new ArrayList<>();
    private static final Set<String> IDS = new HashSet<>();

    private NotebookDisplays() {
    }

    /** Records {@code value} and returns a new display id for it, a random UUID as IJava's and JJava's. */
    public static synchronized String record(Object value) {
        if (value instanceof RenderedImage image) {
            checkHasContent(image);
        }
        DISPLAYED.add(value);
        String id = UUID.randomUUID().toString();
        IDS.add(id);
        return id;
    }

    static synchronized void clear() {
        DISPLAYED.clear();
        IDS.clear();
    }

    /** Whether {@code value} is an id that {@link #record} returned. */
    static synchronized boolean isDisplayId(String value) {
        return IDS.contains(value);
    }

    static synchronized List<RenderedImage> images() {
        return DISPLAYED.stream().filter(RenderedImage.class::isInstance).map(RenderedImage.class::cast).toList();
    }

    private static void checkHasContent(RenderedImage image) {
        if (image.getWidth() < 1 || image.getHeight() < 1) {
            throw new IllegalArgumentException("displayed an empty image (" + image.getWidth() + "x"
                    + image.getHeight() + ")");
        }
        Raster raster = image.getData();
        double[] first = raster.getPixel(0, 0, (double[]) null);
        double[] pixel = new double[first.length];
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if (!Arrays.equals(first, raster.getPixel(x, y, pixel))) {
                    return;
                }
            }
        }
        throw new IllegalArgumentException("displayed a blank " + image.getWidth() + "x" + image.getHeight()
                + " image: every pixel is " + Arrays.toString(first));
    }
}
