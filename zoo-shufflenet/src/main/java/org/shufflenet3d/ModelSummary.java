package org.shufflenet3d;

import java.util.List;
import java.util.Locale;
import org.shufflenet3d.graph.LayerSummary;

/**
 * Per-layer output shapes, parameters and FLOPs of one clip, counted by the reference's rules: convolution
 * = output elements × k³·cin/groups, batch norm = 2 per element, ReLU = 1 per element and call, max pool = 2 per
 * output, the (2,3,3) average pool = 18 per output, linear = (2·in−1)·out; global pooling, channel shuffle,
 * concatenation and residual additions are not counted.
 */
public record ModelSummary(ShuffleNetConfig config, ClipShape clip, List<LayerSummary> layers) {

    public ModelSummary {
        layers = List.copyOf(layers);
    }

    public long totalParameters() {
        return layers.stream().mapToLong(LayerSummary::parameters).sum();
    }

    public long totalFlops() {
        return layers.stream().mapToLong(LayerSummary::flops).sum();
    }

    public double megaFlops() {
        return totalFlops() / 1e6;
    }

    /** The table, then {@code params: N} and {@code mflops: X} on lines of their own. */
    public String toTable() {
        int nameWidth = Math.max(5, layers.stream().mapToInt(l -> l.name().length()).max().orElse(0));
        String rowFormat = "%-" + nameWidth + "s  %-11s  %-22s  %10s  %12s%n";
        StringBuilder out = new StringBuilder();
        out.append(config.describe()).append(", clip 3x").append(clip).append('\n');
        out.append(String.format(Locale.ROOT, rowFormat, "layer", "type", "output", "params", "flops"));
        for (LayerSummary l : layers) {
            out.append(String.format(Locale.ROOT, rowFormat, l.name(), l.type(), l.shapeText(),
                    l.parameters(), l.flops()));
        }
        out.append("params: ").append(totalParameters()).append('\n');
        out.append(String.format(Locale.ROOT, "mflops: %.2f%n", megaFlops()));
        return out.toString();
    }
}
