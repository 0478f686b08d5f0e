package org.shufflenet3d.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.shufflenet3d.ClipShape;
import org.shufflenet3d.InvalidClipException;
import org.shufflenet3d.ShuffleNet3d;
import org.shufflenet3d.io.AtomicFiles;
import org.shufflenet3d.io.MalformedFileException;
import org.shufflenet3d.io.NumpyFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "logits", mixinStandardHelpOptions = true,
        description = "Eval-mode forward pass of a batch of clips: N x 3 x D x H x W float32 in, N x K .npy out.")
final class LogitsCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(LogitsCommand.class);
    private static final String INPUT_ARRAY = "input";

    @Mixin
    NetworkOptions network;

    @ArgGroup(exclusive = false, multiplicity = "1")
    WeightsOption weights;

    @Option(names = "--input", required = true, paramLabel = "clip.npy",
            description = "Clips, float32 N x 3 x D x H x W (pixels minus the mean, as the reference feeds them):"
                    + " an .npy, or an .npz holding one array or an array named 'input'.")
    Path input;

    @Option(names = "--output", required = true, paramLabel = "logits.npy", description = "Where to write N x K logits.")
    Path output;

    @Override
    public Integer call() throws Exception {
        AtomicFiles.requireWritable(output);
        ShuffleNet3dCommand.doing("reading the clips of " + input);
        INDArray clips = readClips(input);
        if (clips.rank() != 5 || clips.size(1) != ClipShape.CHANNELS) {
            throw new InvalidClipException(input + ": expected clips shaped N x 3 x D x H x W, got "
                    + Arrays.toString(clips.shape()));
        }
        ClipShape clip = new ClipShape((int) clips.size(2), (int) clips.size(3), (int) clips.size(4));
        ShuffleNet3dCommand.doing("loading the model from " + weights.file);
        ShuffleNet3d model = network.load(weights.file, clip);
        ShuffleNet3dCommand.doing("computing the logits of " + clips.size(0) + " clips of 3x" + clip);
        INDArray logits = model.output(clips);
        NumpyFiles.writeNpy(output, logits);
        LOG.info("wrote logits {} to {}", Arrays.toString(logits.shape()), output);
        return 0;
    }

    private static INDArray readClips(Path file) throws IOException {
        if (!file.getFileName().toString().endsWith(".npz")) {
            return NumpyFiles.readNpy(file);
        }
        Map<String, INDArray> arrays = NumpyFiles.readNpz(file);
        if (arrays.containsKey(INPUT_ARRAY)) {
            return arrays.get(INPUT_ARRAY);
        }
        if (arrays.size() == 1) {
            return arrays.values().iterator().next();
        }
        throw new MalformedFileException(file + ": holds " + arrays.keySet() + "; expected one array or one named '"
                + INPUT_ARRAY + "'");
    }
}
