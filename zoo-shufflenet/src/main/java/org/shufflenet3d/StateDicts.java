package org.shufflenet3d;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.nd4j.linalg.api.ndarray.INDArray;

/** What a reference state_dict says about itself: its entries by plain name, and the network it was made for. */
public final class StateDicts {

    private static final String DATA_PARALLEL_PREFIX = "module.";
    private static final String BATCH_COUNTER_SUFFIX = ".num_batches_tracked";

    private StateDicts() {
    }

    /** The entries without DataParallel's {@code module.} prefix and without {@code num_batches_tracked}. */
    public static Map<String, INDArray> normalize(Map<String, INDArray> stateDict) {
        Map<String, INDArray> byName = new LinkedHashMap<>();
        stateDict.forEach((key, value) -> {
            String name = key.startsWith(DATA_PARALLEL_PREFIX) ? key.substring(DATA_PARALLEL_PREFIX.length()) : key;
            if (!name.endsWith(BATCH_COUNTER_SUFFIX)) {
                byName.put(name, value);
            }
        });
        return byName;
    }

    /**
     * The configuration a state_dict was made for, from its shapes: V2 has {@code features.*}, V1
     * {@code layer1.*}; classes from the classifier, width and groups from the channel counts.
     */
    public static Optional<ShuffleNetConfig> inferConfig(Map<String, INDArray> stateDict) {
        Map<String, INDArray> w = normalize(stateDict);
        INDArray classifier = w.get("classifier.1.weight");
        if (classifier == null || classifier.rank() != 2) {
            return Optional.empty();
        }
        int classes = (int) classifier.size(0);
        try {
            long v2Branch = rows(w, "features.0.banch2.0.weight");
            if (v2Branch > 0) {
                return ShuffleNetConfig.v2WidthForStageChannels(2 * v2Branch)
                        .map(width -> ShuffleNetConfig.v2(width, classes));
            }
            INDArray unit = w.get("layer1.1.conv3.weight");
            long mid = rows(w, "layer1.1.conv1.weight");
            int[] channels = {(int) rows(w, "conv1.0.weight"), (int) rows(w, "layer1.1.conv3.weight"),
                (int) rows(w, "layer2.1.conv3.weight"), (int) rows(w, "layer3.1.conv3.weight")};
            if (unit == null || unit.rank() != 5 || mid < 1 || java.util.Arrays.stream(channels).anyMatch(c -> c < 1)) {
                return Optional.empty();
            }
            int groups = (int) (mid / unit.size(1));
            return ShuffleNetConfig.v1WidthForChannels(groups, channels)
                    .map(width -> ShuffleNetConfig.v1(groups, width, classes));
        } catch (InvalidConfigurationException e) {
            return Optional.empty();
        }
    }

    /** The first dimension of an entry, or -1 when it is absent or a scalar. */
    private static long rows(Map<String, INDArray> w, String key) {
        INDArray value = w.get(key);
        return value == null || value.rank() == 0 ? -1 : value.size(0);
    }
}
