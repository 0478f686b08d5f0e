package org.shufflenet3d.graph;

import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;

/**
 * The reference's channel_shuffle on channels-last feature maps as one pass over the rows: channel i·g + j of the
 * output is channel j·(C/g) + i of the input. ND4J's permute of the [..., g, C/g] view, the same values, copies
 * element by element through six-dimensional index arithmetic, an order of magnitude slower. Its gradient is the
 * inverse shuffle, by C/g groups. {@link InferenceForm} declares the reference form
 * with ND4J's reshape and permute.
 */
final class ChannelShuffle extends JavaOp {

    private final long channels;
    private final int groups;

    ChannelShuffle(SameDiff sd, SDVariable x, long channels, int groups) {
        super(sd, 1, x);
        this.channels = channels;
        this.groups = groups;
    }

    @Override
    public String opName() {
        return "shufflenet3d_channel_shuffle";
    }

    @Override
    public List<LongShapeDescriptor> outputShapes(INDArray[] inputs) {
        return List.of(LongShapeDescriptor.fromShape(inputs[0].shape(), inputs[0].dataType()));
    }

    @Override
    public void execute(INDArray[] inputs, INDArray[] outputs) {
        ChannelRows in = ChannelRows.reading(inputs[0]);
        ChannelRows out = ChannelRows.writing(outputs[0]);
        int channels = in.channels();
        int perGroup = channels / groups;
        if (channels != this.channels) {
            throw new IllegalArgumentException("channel shuffle of " + this.channels + " channels got " + channels);
        }
        ChannelRows.forEachRange(in.rows(), channels, 0, (first, last) -> {
            ChannelRows.Block source = in.newBlock();
            ChannelRows.Block target = in.newBlock();
            for (long r = first; r < last; r += in.blockRows()) {
                int count = (int) Math.min(in.blockRows(), last - r);
                in.read(r, count, source);
                for (int row = 0, n = count * channels; row < n; row += channels) {
                    for (int j = 0; j < groups; j++) {
                        for (int i = 0; i < perGroup; i++) {
                            if (source.floats != null) {
                                target.floats[row + i * groups + j] = source.floats[row + j * perGroup + i];
                            } else {
                                target.doubles[row + i * groups + j] = source.doubles[row + j * perGroup + i];
                            }
                        }
                    }
                }
                out.write(r, count, target);
            }
            return null;
        });
    }

    @Override
    public List<SDVariable> doDiff(List<SDVariable> gradients) {
        return List.of(new ChannelShuffle(sameDiff, gradients.get(0), channels, (int) (channels / groups))
                .outputVariable());
    }
}
