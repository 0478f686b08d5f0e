package org.shufflenet3d.data;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.shufflenet3d.ClipShape;
import org.shufflenet3d.InvalidClipException;
import org.shufflenet3d.video.ClipNormalization;

/**
 * The reference's normalisation as a DL4J {@link DataSetPreProcessor}: batches of raw RGB pixels (0–255, any
 * numeric type) [N, 3, D, H, W] become the float32 values {@link ClipNormalization} gives for the same frames,
 * {@code (pixel / normValue - mean[c]) / std[c]} after the channels are put in its order. For iterators of raw
 * clips; {@link LabeledClips} from this library's datasets are normalised already.
 */
public final class ClipNormalizer implements DataSetPreProcessor {

    private final ClipNormalization normalization;
    private final INDArray mean;
    private final INDArray std;

    public ClipNormalizer(ClipNormalization normalization) {
        this.normalization = Objects.requireNonNull(normalization, "normalization");
        this.mean = perChannel(normalization.mean());
        this.std = perChannel(normalization.std());
    }

    /** The reference's default: the ActivityNet mean subtracted from 0–255 pixels, RGB ({@link ClipNormalization#DEFAULT}). */
    public static ClipNormalizer reference() {
        return new ClipNormalizer(ClipNormalization.DEFAULT);
    }

    public ClipNormalization normalization() {
        return normalization;
    }

    /** Replaces the batch's features by their normalised values. */
    @Override
    public void preProcess(DataSet dataSet) {
        dataSet.setFeatures(normalize(dataSet.getFeatures()));
    }

    /** The normalised values of raw RGB clips [N, 3, D, H, W], as a new float32 array. */
    public INDArray normalize(INDArray rawClips) {
        if (rawClips == null || rawClips.rank() != 5 || rawClips.size(1) != ClipShape.CHANNELS
                || !(rawClips.dataType().isFPType() || rawClips.dataType().isIntType())) {
            throw new InvalidClipException("expected raw RGB clips shaped [N, 3, frames, height, width] (0-255 pixels),"
                    + " got " + (rawClips == null ? "null" : rawClips.dataType() + " " + Arrays.toString(rawClips.shape())));
        }
        INDArray values = normalization.channelOrder() == ClipNormalization.ChannelOrder.BGR
                ? rawClips.get(NDArrayIndex.all(), NDArrayIndex.indices(2, 1, 0)).castTo(DataType.FLOAT)
                : rawClips.castTo(DataType.FLOAT).dup();
        return values.divi((float) normalization.normValue()).subi(mean).divi(std);
    }

    private static INDArray perChannel(List<Double> values) {
        float[] floats = new float[values.size()];
        for (int c = 0; c < floats.length; c++) {
            floats[c] = values.get(c).floatValue();
        }
        return Nd4j.create(floats, new long[] {1, ClipShape.CHANNELS, 1, 1, 1}, 'c');
    }
}
