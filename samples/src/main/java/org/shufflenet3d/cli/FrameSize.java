package org.shufflenet3d.cli;

import org.shufflenet3d.ClipShape;

/** Parses {@code --size}: {@code S} for square frames or {@code HxW}. */
final class FrameSize {

    private FrameSize() {
    }

    static ClipShape clip(int frames, String size) {
        String[] parts = size.toLowerCase(java.util.Locale.ROOT).split("x");
        try {
            if (parts.length == 1) {
                int s = Integer.parseInt(parts[0].trim());
                return new ClipShape(frames, s, s);
            }
            if (parts.length == 2) {
                return new ClipShape(frames, Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
            }
        } catch (NumberFormatException e) {
            // reported below with the expected form
        }
        throw new IllegalArgumentException("invalid --size '" + size + "': expected S (e.g. 112) or HxW (e.g. 128x171)");
    }
}
