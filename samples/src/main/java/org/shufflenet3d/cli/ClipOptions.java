package org.shufflenet3d.cli;

import java.util.Locale;
import org.shufflenet3d.ClipShape;
import picocli.CommandLine.Option;

/** {@code --frames} and {@code --size}: the clip geometry a graph is built for. */
final class ClipOptions {

    @Option(names = "--frames", paramLabel = "D", defaultValue = "16", description = "Frames per clip (default 16).")
    int frames;

    @Option(names = "--size", paramLabel = "S|HxW", defaultValue = "112",
            description = "Frame size in pixels: S for SxS, or HxW (default 112).")
    String size;

    ClipShape clip() {
        String[] parts = size.toLowerCase(Locale.ROOT).split("x", -1);
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
