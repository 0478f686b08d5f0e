package org.shufflenet3d.spark;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.shufflenet3d.ClipShape;
import org.shufflenet3d.ShuffleNet3d;
import org.shufflenet3d.ShuffleNetConfig;
import org.shufflenet3d.data.MovingShapeVideos;
import org.shufflenet3d.video.VideoWriter;

/**
 * Eight small generated videos (16 frames of 32x32, two per moving-shape class), one file that claims to be a video
 * but is not, a ShuffleNet V2 0.25x of four classes saved as .npz, and its class names.
 */
final class TestCorpus {

    static final ClipSettings CLIPS = ClipSettings.DEFAULT.withShape(16, 32);
    static final ShuffleNetConfig CONFIG = ShuffleNetConfig.v2(0.25, MovingShapeVideos.CLASS_NAMES.size());

    final Path root;
    final Path videos;
    final List<Path> good = new ArrayList<>();
    final Path broken;
    final Path weights;
    final Path labels;

    TestCorpus(Path root) throws IOException {
        this.root = root;
        this.videos = root.resolve("videos");
        for (int v = 0; v < 8; v++) {
            int label = v % MovingShapeVideos.CLASS_NAMES.size();
            Path file = videos.resolve(MovingShapeVideos.CLASS_NAMES.get(label))
                    .resolve(String.format(Locale.ROOT, "video-%d.mp4", v));
            VideoWriter.write(file, MovingShapeVideos.frames(label, 16, 32, 32, 100 + v), 25);
            good.add(file);
        }
        broken = Files.writeString(videos.resolve("broken.mp4"), "not a video", StandardCharsets.UTF_8);
        weights = root.resolve("weights.npz");
        ShuffleNet3d.create(CONFIG, new ClipShape(16, 32, 32), 7).saveWeights(weights);
        labels = Files.write(root.resolve("classes.txt"), MovingShapeVideos.CLASS_NAMES);
    }

    /** The network the saved weights hold, as the single-machine tools load it. */
    ShuffleNet3d model() throws IOException {
        return ShuffleNet3d.fromWeights(weights, CLIPS.shape());
    }
}
