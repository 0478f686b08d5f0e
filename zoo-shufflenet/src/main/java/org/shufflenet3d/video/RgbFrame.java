package org.shufflenet3d.video;

import java.awt.image.BufferedImage;

/**
 * One video frame as 8-bit RGB: {@code pixels} holds {@code height} rows of {@code width} pixels, each pixel three
 * bytes (red, green, blue), rows top to bottom and pixels left to right, the layout PIL's {@code "RGB"} mode uses.
 * The array is shared, not copied: treat a frame as immutable.
 */
public record RgbFrame(int width, int height, byte[] pixels) {

    public RgbFrame {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("a frame needs a positive width and height, got " + width + "x" + height);
        }
        if (pixels.length != 3L * width * height) {
            throw new IllegalArgumentException("a " + width + "x" + height + " RGB frame needs " + 3L * width * height
                    + " bytes (3 a pixel), got " + pixels.length);
        }
    }

    /** Channel {@code channel} (0 red, 1 green, 2 blue) of the pixel in column {@code x}, row {@code y}, 0–255. */
    public int value(int x, int y, int channel) {
        return pixels[3 * (y * width + x) + channel] & 0xFF;
    }

    /** The frame of an image of any type, converted to RGB as {@link BufferedImage#getRGB} reports it. */
    public static RgbFrame of(BufferedImage image) {
        int width = image.getWidth();
        int height = image.getHeight();
        byte[] pixels = new byte[3 * width * height];
        int[] row = new int[width];
        for (int y = 0, i = 0; y < height; y++) {
            image.getRGB(0, y, width, 1, row, 0, width);
            for (int argb : row) {
                pixels[i++] = (byte) (argb >> 16);
                pixels[i++] = (byte) (argb >> 8);
                pixels[i++] = (byte) argb;
            }
        }
        return new RgbFrame(width, height, pixels);
    }

    /** This frame as a {@link BufferedImage#TYPE_INT_RGB} image, to display or write with ImageIO. */
    public BufferedImage toImage() {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] rgb = new int[width * height];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (pixels[3 * i] & 0xFF) << 16 | (pixels[3 * i + 1] & 0xFF) << 8 | pixels[3 * i + 2] & 0xFF;
        }
        image.setRGB(0, 0, width, height, rgb, 0, width);
        return image;
    }
}
