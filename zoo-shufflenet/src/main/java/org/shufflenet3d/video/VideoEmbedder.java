package org.shufflenet3d.video;

import java.nio.file.Path;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.shufflenet3d.ShuffleNet3d;

/**
 * Embeds whole videos: the mean of {@link ShuffleNet3d#features} over the clips of the reference's test protocol
 * (every consecutive clip), optionally scaled to unit L2 norm, the form used to compare videos by cosine similarity.
 */
public final class VideoEmbedder {

    /** The embedding of one video, averaged over its {@code clips} clips. */
    public record Embedding(Path video, int clips, float[] vector) {
    }

    private final ShuffleNet3d model;
    private final VideoClips clips;
    private final int batchSize;
    private final boolean l2Normalized;

    /**
     * Embeds with {@code model} the clips {@code clips} cuts (their shape must be the model's), {@code batchSize}
     * clips a forward pass; {@code l2Normalized} scales each video's mean to unit length.
     */
    public VideoEmbedder(ShuffleNet3d model, VideoClips clips, int batchSize, boolean l2Normalized) {
        this.model = Objects.requireNonNull(model, "model");
        this.clips = Objects.requireNonNull(clips, "clips");
        if (!clips.shape().equals(model.clipShape())) {
            throw new IllegalArgumentException("the clips are 3x" + clips.shape() + " but the model takes 3x"
                    + model.clipShape());
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("the batch size must be at least 1, got " + batchSize);
        }
        this.batchSize = batchSize;
        this.l2Normalized = l2Normalized;
    }

    /** The number of values in an embedding: the network's feature width. */
    public int dimension() {
        return model.featureCount();
    }

    /**
     * The embedding of {@code video}, whose clips are cut and embedded as it is decoded: at most one batch of clips
     * is held, whatever the video's length.
     */
    public Embedding embed(Path video) {
        INDArray sum = Nd4j.zeros(DataType.DOUBLE, dimension());
        int clipCount = clips.forEachTestBatch(video, batchSize,
                batch -> sum.addi(model.features(batch.castTo(model.dataType())).castTo(DataType.DOUBLE).sum(0)));
        INDArray mean = sum.divi(clipCount);
        if (l2Normalized) {
            double norm = mean.norm2Number().doubleValue();
            if (norm > 0) {
                mean.divi(norm);
            }
        }
        return new Embedding(video, clipCount, mean.toFloatVector());
    }
}
